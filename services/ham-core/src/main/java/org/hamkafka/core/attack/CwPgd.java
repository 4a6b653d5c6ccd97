package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;

/**
 * PGD on the Carlini–Wagner margin {@code max_{j != y} z_j - z_y} (mean over the batch) instead of
 * the cross-entropy; otherwise as {@link Pgd}. Name "cw-&lt;steps&gt;" ("-l2" appended for L2).
 *
 * <p>Papers:
 * <ul>
 *   <li>the margin loss: Nicholas Carlini and David Wagner, "Towards Evaluating the Robustness of Neural
 *       Networks", IEEE S&amp;P 2017;</li>
 *   <li>the PGD loop: Aleksander Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks",
 *       ICLR 2018.</li>
 * </ul>
 */
public final class CwPgd extends IterativeAttack {

    public CwPgd(float eps, float alpha, int steps, Norm norm, boolean randomStart, long seed) {
        super(eps, alpha, steps, norm, randomStart, seed);
    }

    @Override
    Function<NDArray, NDArray> loss(Classifier f, NDArray x, NDArray y) {
        return logits -> AttackMath.cwMargin(logits, y);
    }

    @Override
    public String name() {
        return "cw-" + steps + normSuffix();
    }
}
