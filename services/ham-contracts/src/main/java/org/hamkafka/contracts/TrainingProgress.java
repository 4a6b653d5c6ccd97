package org.hamkafka.contracts;

import java.time.Instant;

/**
 * Trainer → anyone ({@link Topics#TRAINING_PROGRESS}): how a job is doing.
 *
 * @param step              global batch counter
 * @param loss              mean training loss of the recent batches
 * @param dropRate          fraction of examples HAM dropped early (0 for other methods)
 * @param examplesPerSecond training throughput
 * @param staleness         model versions between the one the attack used and the one trained (0 = synchronous)
 * @param state             one of {@code QUEUED}, {@code RUNNING}, {@code EPOCH_DONE}, {@code COMPLETED},
 *                          {@code FAILED}, {@code CANCELLED}
 * @param reportedAt        when the trainer wrote it, or null
 */
public record TrainingProgress(int schemaVersion, String jobId, int epoch, long step, double loss, double dropRate,
                               double examplesPerSecond, long staleness, String state,
                               @Nullable Instant reportedAt) implements Versioned {
    public TrainingProgress {
        Require.nonBlank(jobId, "job_id");
        Require.nonBlank(state, "state");
    }
}
