package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * Where a batch's adversarial examples come from, for {@link TrainingRun}'s loop: the method's own
 * {@link TrainingMethod#attack} in this process ({@link TrainingRun#localAttack}), or attack workers reached
 * over the wire, several batches in flight (the trainer-service's). The loop owns everything else: batch order,
 * training half, versions, listeners.
 */
public interface AttackHalf {
    /**
     * One batch to attack.
     *
     * @param rows    the batch's rows of the training set, in plan order
     * @param x       its images, in {@code m}
     * @param y       its labels, in {@code m}
     * @param seed    the step's seed ({@link Seeds#step})
     * @param version the model version the loop is at (the weights the training half will step)
     */
    record Batch(int epoch, int batch, int[] rows, NDArray x, NDArray y, NDManager m, long seed, long version) {
    }

    /** The attack's output, and the model version whose weights it attacked ({@code <=} the batch's version). */
    record Attacked(AttackOutput output, long attackVersion) {
    }

    /**
     * Before the first batch of {@code epoch} that the loop trains ({@code first}; 0 unless resumed mid-epoch);
     * {@code classEps} are the epoch's per-class budgets where a fairness rule sets them (null: the configuration's).
     */
    default void epochStart(int epoch, int[][] plan, int first, long version, List<Float> classEps) {
    }

    Attacked attack(Batch b);

    /** After batch {@code batch}'s training half; {@code version} is the model's version after it. */
    default void stepped(int epoch, int batch, long version) {
    }
}
