package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Classifier;

/**
 * A training method split into its two halves, so that the attack half can run on an attack worker
 * and the training half in the trainer, with exactly the code the in-process run uses.
 */
public interface TrainingMethod {
    /** Short name for reports: standard, pgd-at, trades, fast-at, ham. */
    String name();

    /**
     * The attack half, model in inference mode, parameter gradients untouched.
     *
     * @param exampleIds data-set indices of the rows (fix each row's random start, see RandomStart)
     * @param seed       the step's seed (same in every process)
     * @param epoch      0-based epoch (HAM's warm-up uses it)
     */
    AttackOutput attack(Classifier f, NDArray x, NDArray y, long[] exampleIds, long seed, int epoch);

    /**
     * The training half: one optimizer step (or none, when nothing is left to train on) on the
     * gathered attack output; model in training mode.
     */
    StepResult train(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, AttackOutput attack, float lr, int epoch);

    /**
     * This method with its training half's loss weighted by class ({@link ClassWeights}); the attack half is the
     * same. {@link ClassWeights#NONE} gives a method that trains exactly as this one.
     */
    TrainingMethod withClassWeights(ClassWeights weights);

    /**
     * This method attacking each class within its own budget ({@link ClassEps}). Every method with an attack
     * takes one; standard training, which has none, refuses a budget that is set (the settings say so first).
     */
    default TrainingMethod withClassEps(ClassEps eps) {
        if (!eps.isNone()) {
            throw new IllegalArgumentException(PartialConfig.named("classEps") + " needs an attack; " + name()
                    + " training has none");
        }
        return this;
    }

    /** Both halves in one process: the reference semantics. */
    default StepResult step(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, long[] exampleIds, long seed,
                            int epoch, float lr) {
        AttackOutput out = attack(f, x, y, exampleIds, seed, epoch);
        return train(f, optimizer, x, y, out, lr, epoch);
    }
}
