package org.hamkafka.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SgdMomentumTest {
    /** One pixel, two classes, identity normalization: logits = W·x + b with W (2×1), b (2). */
    static final DatasetInfo ONE_PIXEL = new DatasetInfo("one-pixel", 1, 1, 1, List.of("a", "b"),
            new float[]{0f}, new float[]{1f});

    static NDArray param(Classifier f, String suffix) {
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            if (p.getKey().endsWith(suffix)) {
                return p.getValue().getArray();
            }
        }
        throw new AssertionError("no parameter ending in " + suffix);
    }

    /** loss = Σ logits at x = 2, so dL/dW = [2, 2] and dL/db = [1, 1] whatever the weights. */
    static void backwardSumOfLogits(Classifier f) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = f.manager().create(new float[]{2f}).reshape(1, 1, 1, 1);
            gc.backward(f.logits(x, true).sum());
        }
    }

    @Test
    void twoStepsMatchPyTorchMomentumWithWeightDecayWorkedByHand() {
        try (Classifier f = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 1)) {
            NDArray w = param(f, "weight");
            NDArray b = param(f, "bias");
            boolean mode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            w.set(new float[]{0.5f, -1f});
            b.set(new float[]{0f, 0f});
            JniUtils.setGradMode(mode);

            SgdMomentum sgd = new SgdMomentum(0.9f, 0.01f);
            backwardSumOfLogits(f);
            sgd.step(f, 0.1f);
            // d = g + wd·w = [2.005, 1.99]; buf = d; w = w - 0.1·d
            assertArrayEquals(new float[]{0.2995f, -1.199f}, w.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[]{-0.1f, -0.1f}, b.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[]{0f, 0f}, w.getGradient().toFloatArray(), 0f, "step zeroes the gradient");

            backwardSumOfLogits(f);
            sgd.step(f, 0.05f);
            // d2 = [2.002995, 1.98801]; buf = 0.9·[2.005, 1.99] + d2 = [3.807495, 3.77901]; w -= 0.05·buf
            assertArrayEquals(new float[]{0.10912525f, -1.3879505f}, w.toFloatArray(), 1e-6f);
            // bias: d2 = 1 + 0.01·(-0.1) = 0.999; buf = 0.9 + 0.999 = 1.899; b = -0.1 - 0.05·1.899
            assertArrayEquals(new float[]{-0.19495f, -0.19495f}, b.toFloatArray(), 1e-6f);

            NDList state = sgd.state();
            assertEquals(2, state.size());
            for (NDArray buf : state) {
                if (buf.getName().endsWith("bias")) {
                    assertArrayEquals(new float[]{1.899f, 1.899f}, buf.toFloatArray(), 1e-6f);
                }
            }
        }
    }

    @Test
    void restoredStateContinuesExactlyLikeTheOriginal() {
        try (Classifier a = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 3);
             Classifier b = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 3)) {
            assertArrayEquals(param(a, "weight").toFloatArray(), param(b, "weight").toFloatArray(), 0f, "same seed");
            SgdMomentum sa = new SgdMomentum(0.9f, 2e-4f);
            SgdMomentum sb = new SgdMomentum(0.9f, 2e-4f);
            backwardSumOfLogits(a);
            sa.step(a, 0.1f);
            backwardSumOfLogits(b);
            sb.step(b, 0.1f);
            assertArrayEquals(param(a, "weight").toFloatArray(), param(b, "weight").toFloatArray(), 0f, "one step");
            SgdMomentum restored = new SgdMomentum(0.9f, 2e-4f);
            restored.loadState(b, sa.state());
            backwardSumOfLogits(a);
            sa.step(a, 0.1f);
            backwardSumOfLogits(b);
            restored.step(b, 0.1f);
            assertArrayEquals(param(a, "weight").toFloatArray(), param(b, "weight").toFloatArray(), 0f);
        }
    }

    @Test
    void zeroGradientsClearsAccumulatedGradients() {
        try (Classifier f = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 1)) {
            backwardSumOfLogits(f);
            backwardSumOfLogits(f);
            assertArrayEquals(new float[]{4f, 4f}, param(f, "weight").getGradient().toFloatArray(), 1e-6f,
                    "DJL accumulates: two backward passes double the gradient");
            new SgdMomentum(0.9f, 0f).zeroGradients(f);
            assertArrayEquals(new float[]{0f, 0f}, param(f, "weight").getGradient().toFloatArray(), 0f);
        }
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThrows(IllegalArgumentException.class, () -> new SgdMomentum(1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new SgdMomentum(0.9f, -1f));
    }
}
