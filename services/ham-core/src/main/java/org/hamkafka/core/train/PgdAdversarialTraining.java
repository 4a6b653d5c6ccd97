package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.model.Classifier;

/**
 * Madry's PGD-AT: K-step PGD from a uniform random start, then CE on the adversarial batch.
 *
 * <p>Paper:
 * Aleksander Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR 2018.
 */
public final class PgdAdversarialTraining implements TrainingMethod {
    private final float eps;
    private final float alpha;
    private final int steps;
    private final Norm norm;
    private final ClassWeights classWeights;
    private final ClassEps classEps;

    public PgdAdversarialTraining(float eps, float alpha, int steps, Norm norm) {
        this(eps, alpha, steps, norm, ClassWeights.NONE, ClassEps.NONE);
    }

    private PgdAdversarialTraining(float eps, float alpha, int steps, Norm norm, ClassWeights classWeights,
                                   ClassEps classEps) {
        this.eps = eps;
        this.alpha = alpha;
        this.steps = steps;
        this.norm = norm;
        this.classWeights = classWeights;
        this.classEps = classEps;
    }

    @Override
    public TrainingMethod withClassWeights(ClassWeights weights) {
        return new PgdAdversarialTraining(eps, alpha, steps, norm, weights, classEps);
    }

    @Override
    public TrainingMethod withClassEps(ClassEps budgets) {
        return new PgdAdversarialTraining(eps, alpha, steps, norm, classWeights, budgets);
    }

    @Override
    public String name() {
        return "pgd-at";
    }

    /** Counted passes: K forward and K backward passes over the batch. */
    @Override
    public AttackOutput attack(Classifier f, NDArray x, NDArray y, long[] exampleIds, long seed, int epoch) {
        long t0 = System.nanoTime();
        int n = (int) x.getShape().get(0);
        NDArray scale = classEps.rows(y); // null: every row within eps
        NDArray start = ClassEps.scaleStart(Starts.uniform(x, seed, exampleIds, eps, norm), scale);
        NDArray adv = new Pgd(eps, alpha, steps, norm, true, seed).perturb(f, x, y, start, scale);
        if (start != null) {
            start.close();
        }
        if (scale != null) {
            scale.close();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        return new AttackOutput(adv, Starts.all(n), null,
                new AttackStats(n, n, (long) n * steps, (long) n * steps, ms));
    }

    @Override
    public StepResult train(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, AttackOutput attack, float lr,
                            int epoch) {
        int n = (int) x.getShape().get(0);
        if (attack.adversarial() == null || attack.keptIndices().length != n) {
            throw new IllegalArgumentException("PGD-AT trains on every row: expected " + n
                    + " adversarial rows, got " + attack.keptIndices().length);
        }
        float loss = WeightedLoss.step(f, optimizer, attack.adversarial(), y, classWeights.apply(null, y), lr);
        return WeightedLoss.result(loss, n, n, attack.stats());
    }
}
