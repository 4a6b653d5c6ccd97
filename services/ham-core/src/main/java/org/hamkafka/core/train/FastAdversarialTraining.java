package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.attack.Fgsm;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.model.Classifier;

/**
 * "Fast AT" (Wong et al.): one FGSM step of size 1.25·eps from a uniform random start.
 *
 * <p>Paper:
 * Eric Wong et al., "Fast is better than free: Revisiting adversarial training", ICLR 2020.
 */
public final class FastAdversarialTraining implements TrainingMethod {
    private final float eps;
    private final float alpha;
    private final Norm norm;
    private final ClassWeights classWeights;
    private final ClassEps classEps;

    public FastAdversarialTraining(float eps, float alpha, Norm norm) {
        this(eps, alpha, norm, ClassWeights.NONE, ClassEps.NONE);
    }

    private FastAdversarialTraining(float eps, float alpha, Norm norm, ClassWeights classWeights, ClassEps classEps) {
        this.eps = eps;
        this.alpha = alpha;
        this.norm = norm;
        this.classWeights = classWeights;
        this.classEps = classEps;
    }

    @Override
    public TrainingMethod withClassWeights(ClassWeights weights) {
        return new FastAdversarialTraining(eps, alpha, norm, weights, classEps);
    }

    @Override
    public TrainingMethod withClassEps(ClassEps budgets) {
        return new FastAdversarialTraining(eps, alpha, norm, classWeights, budgets);
    }

    @Override
    public String name() {
        return "fast-at";
    }

    /** Counted passes: one forward and one backward pass over the batch. */
    @Override
    public AttackOutput attack(Classifier f, NDArray x, NDArray y, long[] exampleIds, long seed, int epoch) {
        long t0 = System.nanoTime();
        int n = (int) x.getShape().get(0);
        NDArray scale = classEps.rows(y); // null: every row within eps
        NDArray start = ClassEps.scaleStart(Starts.uniform(x, seed, exampleIds, eps, norm), scale);
        NDArray adv = new Fgsm(eps, alpha, norm, seed).perturb(f, x, y, start, scale);
        if (start != null) {
            start.close();
        }
        if (scale != null) {
            scale.close();
        }
        return new AttackOutput(adv, Starts.all(n), null,
                new AttackStats(n, n, n, n, (System.nanoTime() - t0) / 1e6));
    }

    @Override
    public StepResult train(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, AttackOutput attack, float lr,
                            int epoch) {
        int n = (int) x.getShape().get(0);
        if (attack.adversarial() == null || attack.keptIndices().length != n) {
            throw new IllegalArgumentException("Fast-AT trains on every row: expected " + n
                    + " adversarial rows, got " + attack.keptIndices().length);
        }
        float loss = WeightedLoss.step(f, optimizer, attack.adversarial(), y, classWeights.apply(null, y), lr);
        return WeightedLoss.result(loss, n, n, attack.stats());
    }
}
