package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;

/**
 * FGSM with a uniform random start ("Fast AT", Wong et al.): one cross-entropy ascent step of size
 * alpha (1.25·eps in Fast AT) from {@code Π(x + U(-eps, eps))} (L2: uniform in the ball), then Π.
 * Name "fgsm" ("-l2" appended for L2).
 *
 * <p>Papers:
 * <ul>
 *   <li>the step: Ian J. Goodfellow et al., "Explaining and Harnessing Adversarial Examples", ICLR 2015;</li>
 *   <li>the random start and alpha = 1.25·eps: Eric Wong et al., "Fast is better than free: Revisiting
 *       adversarial training", ICLR 2020.</li>
 * </ul>
 */
public final class Fgsm extends IterativeAttack {

    public Fgsm(float eps, float alpha, Norm norm, long seed) {
        super(eps, alpha, 1, norm, true, seed);
    }

    @Override
    Function<NDArray, NDArray> loss(Classifier f, NDArray x, NDArray y) {
        return logits -> AttackMath.crossEntropy(logits, y);
    }

    @Override
    public String name() {
        return "fgsm" + normSuffix();
    }
}
