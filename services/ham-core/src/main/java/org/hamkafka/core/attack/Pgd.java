package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;

/**
 * Projected gradient descent (Madry et al.) on the cross-entropy, mean over the batch:
 * {@code x_k = Π(x_{k-1} + alpha·sign(∇x CE))} for L∞, {@code Π(x_{k-1} + alpha·g/||g||_2)} for L2.
 * With {@code randomStart} and no given delta0, the start is drawn by {@link RandomStart} from the
 * seed (example ids 0..N-1) mixed with a per-call counter. Name "pgd-&lt;steps&gt;" ("-l2" appended for L2).
 *
 * <p>Paper:
 * Aleksander Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR 2018.
 */
public final class Pgd extends IterativeAttack {

    public Pgd(float eps, float alpha, int steps, Norm norm, boolean randomStart, long seed) {
        super(eps, alpha, steps, norm, randomStart, seed);
    }

    @Override
    Function<NDArray, NDArray> loss(Classifier f, NDArray x, NDArray y) {
        return logits -> AttackMath.crossEntropy(logits, y);
    }

    @Override
    public String name() {
        return "pgd-" + steps + normSuffix();
    }
}
