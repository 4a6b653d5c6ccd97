package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Classifier;

/**
 * The input gradient the gradient attacks start from, for callers outside the attacks (the evaluation's sanity
 * checks): {@code ∇x CE(f(x), y)} with f in inference mode and its parameters frozen, as in {@link FrozenModel}.
 */
public final class InputGradients {
    private InputGradients() {
    }

    /**
     * {@code ∇x} of the mean cross-entropy over the batch, shape of x, attached to x's manager: one forward and one
     * backward pass of the batch. f's parameter gradients are left as they were.
     */
    public static NDArray crossEntropy(Classifier f, NDArray x, NDArray y) {
        AttackMath.checkBatch(x, y, null);
        try (FrozenModel frozen = new FrozenModel(f, x)) {
            NDArray xs = AttackMath.local(x, frozen.manager());
            NDArray ys = AttackMath.local(y, frozen.manager());
            NDArray g = AttackMath.inputGradient(f, xs, logits -> AttackMath.crossEntropy(logits, ys)).gradient();
            NDArray out = g.stopGradient();
            out.attach(x.getManager());
            return out;
        }
    }
}
