package org.hamkafka.core.train;

/**
 * Where a run goes on: the next epoch and batch to train, the steps done and the model version so far (one
 * version per optimizer step taken), the versions the batches in flight were attacked with (a pipelined
 * run's; empty in one process), so that a resumed run has the staleness it would have had, and a fairness rule's
 * multipliers ({@code fairness}; null for a method without a rule, or before its first update).
 */
public record Position(int epoch, int batch, long stepsDone, long modelVersion, long[] pendingVersions,
                       FairnessState fairness) {
    /** A run's first batch. */
    public static final Position START = new Position(0, 0, 0, 0, new long[0]);

    public Position(int epoch, int batch, long stepsDone, long modelVersion, long[] pendingVersions) {
        this(epoch, batch, stepsDone, modelVersion, pendingVersions, null);
    }

    public Position {
        if (epoch < 0 || batch < 0 || stepsDone < 0 || modelVersion < 0) {
            throw new IllegalArgumentException("a position is never negative; got epoch " + epoch + " batch " + batch
                    + " steps " + stepsDone + " version " + modelVersion);
        }
        pendingVersions = pendingVersions.clone();
    }

    @Override
    public long[] pendingVersions() {
        return pendingVersions.clone();
    }
}
