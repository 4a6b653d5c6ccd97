package org.hamkafka.core.train;

/**
 * One finished step of {@link TrainingRun}'s loop.
 *
 * @param step              the global step index (epoch * batches + batch)
 * @param stepsDone         steps done so far in the run, this one included (a resumed run counts the earlier ones)
 * @param version           the model version after this step
 * @param staleness         versions between the weights the batch was attacked with and those it trained
 * @param epochMeanLoss     mean loss of this epoch's steps so far that stepped; null when none did
 * @param examplesPerSecond examples of this run so far per wall-clock second
 * @param times             {@link System#nanoTime()} when the attack half began, ended, the training half ended,
 *                          and the step was done (attack half told, next batch out)
 * @param cost              this run's cost so far, this step included, with its wall and CPU time so far and
 *                          {@code epochs} the epochs begun (a resumed run: its own part only)
 * @param fairness          the fairness rule's multipliers this epoch trains with (null: the method has no rule)
 */
public record StepDone(int epoch, int epochs, int batch, int batches, long step, long stepsDone, long version,
                       long staleness, float lr, StepResult result, Double epochMeanLoss, double examplesPerSecond,
                       Times times, TrainingCost cost, FairnessState fairness) {
    public record Times(long attackStart, long attackEnd, long trained, long end) {
    }

    /** Where a run goes on after this step (no batches in flight). */
    public Position next() {
        return lastOfEpoch() ? new Position(epoch + 1, 0, stepsDone, version, new long[0], fairness)
                : new Position(epoch, batch + 1, stepsDone, version, new long[0], fairness);
    }

    public boolean lastOfEpoch() {
        return batch == batches - 1;
    }

    public float loss() {
        return result.loss();
    }

    /** Fraction of the batch that took no part in training (HAM's easy examples). */
    public double dropRate() {
        return result.examplesIn() == 0 ? 0 : 1.0 - (double) result.examplesTrained() / result.examplesIn();
    }

    /** Wall time of the attack half as the attack measured it. */
    public double attackMillis() {
        return result.attackStats().millis();
    }
}
