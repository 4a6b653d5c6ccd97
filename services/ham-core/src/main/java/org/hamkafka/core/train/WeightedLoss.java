package org.hamkafka.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.model.Classifier;

/**
 * The training step every method shares: zero the gradients, forward in training mode inside a
 * gradient collector, {@code loss = (1/n) Σ ŵ_i · CE(f(x_i), y_i)}, backward, one SGD step.
 */
public final class WeightedLoss {
    private WeightedLoss() {
    }

    /** Per-example cross-entropy {@code -log softmax(logits)[y]}, shape (n). */
    public static NDArray crossEntropy(NDArray logits, NDArray y) {
        NDArray logp = logits.logSoftmax(1);
        NDArray onehot = y.oneHot((int) logits.getShape().get(1)).toType(logp.getDataType(), false);
        return logp.mul(onehot).sum(new int[]{1}).neg();
    }

    /**
     * One optimizer step on {@code (1/n) Σ w_i · CE_i}; {@code weights} null means all ones.
     *
     * @return the loss value
     */
    public static float step(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, float[] weights, float lr) {
        return step(f, optimizer, x, weights, lr, scope -> {
            NDArray in = x.stopGradient();
            in.attach(scope);
            return crossEntropy(f.logits(in, true), y);
        });
    }

    /** A per-example loss of shape (n), computed inside the gradient collector; what it creates goes to {@code scope}. */
    interface PerExampleLoss {
        NDArray compute(NDManager scope);
    }

    /**
     * One optimizer step on {@code (1/n) Σ w_i · loss_i} for any per-example loss (CE here, TRADES' CE + β·KL):
     * zero the gradients, forward and loss in training mode inside a gradient collector, backward, one SGD step.
     * {@code weights} null means all ones.
     *
     * @return the loss value
     */
    static float step(Classifier f, SgdMomentum optimizer, NDArray x, float[] weights, float lr, PerExampleLoss loss) {
        int n = (int) x.getShape().get(0);
        if (weights != null && weights.length != n) {
            throw new IllegalArgumentException("weights has " + weights.length + " entries for " + n + " examples");
        }
        float value;
        try (NDManager scope = x.getManager().newSubManager()) {
            optimizer.zeroGradients(f);
            f.requireParameterGradients(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray perExample = loss.compute(scope);
                perExample.attach(scope);
                NDArray total = weights == null ? perExample.mean() : perExample.mul(scope.create(weights)).mean();
                total.attach(scope);
                gc.backward(total);
                value = total.getFloat();
            }
            optimizer.step(f, lr);
        }
        return value;
    }

    /** The StepResult of a method whose training half is one weighted-CE step on n rows. */
    static StepResult result(float loss, int examplesIn, int n, AttackStats stats) {
        return new StepResult(loss, examplesIn, n, n > 0, stats, n, n);
    }
}
