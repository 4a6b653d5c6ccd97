package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;

/**
 * The TRADES inner maximisation: PGD on {@code KL(p(x) || p(x'))} (summed over the batch, as the
 * reference's {@code KLDivLoss(size_average=False)}), started at {@code x + 0.001·N(0,1)} (drawn by
 * {@link RandomStart#normal} from the seed and a per-call counter unless delta0 is given). p(x) is a
 * constant (one extra no-grad forward per call). Name "trades-&lt;steps&gt;" ("-l2" appended for L2).
 *
 * <p>Paper:
 * Hongyang Zhang et al., "Theoretically Principled Trade-off between Robustness and Accuracy", ICML 2019.
 */
public final class TradesAttack extends IterativeAttack {
    /** The scale of TRADES' Gaussian start. */
    public static final float START_SCALE = 0.001f;

    public TradesAttack(float eps, float alpha, int steps, Norm norm, long seed) {
        super(eps, alpha, steps, norm, true, seed);
    }

    @Override
    Function<NDArray, NDArray> loss(Classifier f, NDArray x, NDArray y) {
        return AttackMath.tradesKl(f.logits(x, false).softmax(1).stopGradient());
    }

    @Override
    NDArray drawStart(NDManager m, long callSeed, Shape batchShape) {
        int n = (int) batchShape.get(0);
        return RandomStart.normal(m, callSeed, RandomStart.consecutive(0, n), batchShape.slice(1), START_SCALE);
    }

    @Override
    public String name() {
        return "trades-" + steps + normSuffix();
    }
}
