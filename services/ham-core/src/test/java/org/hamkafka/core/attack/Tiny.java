package org.hamkafka.core.attack;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tiny models and batches for the attack tests. */
final class Tiny {
    private Tiny() {
    }

    /** Identity normalization (mean 0, std 1), so the linear model is exactly z = W·x + b. */
    static DatasetInfo info(int channels, int side, int classes) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        java.util.Arrays.fill(std, 1f);
        return new DatasetInfo("tiny", channels, side, side, names, mean, std);
    }

    static Classifier linear(DatasetInfo info, long seed) {
        return Classifier.create("linear", info, Device.cpu(), seed);
    }

    static Parameter parameter(Classifier f, String suffix) {
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            if (p.getKey().endsWith(suffix)) {
                return p.getValue();
            }
        }
        throw new AssertionError("no parameter ending in " + suffix);
    }

    /** Sets the linear layer to weight W (classes × features, row-major) and bias b. */
    static void setLinear(Classifier f, float[] weight, float[] bias) {
        parameter(f, "weight").getArray().set(weight);
        parameter(f, "bias").getArray().set(bias);
    }

    static NDArray uniformImages(NDManager m, int n, Shape image, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n * (int) image.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        return m.create(a, new Shape(n).addAll(image));
    }

    static NDArray predictions(Classifier f, NDArray x) {
        return f.logits(x, false).argMax(1);
    }

    /** One backward of a training loss, so that every parameter holds a known, non-zero gradient. */
    static void backwardOnce(Classifier f, NDArray x) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray z = f.logits(x, true);
            gc.backward(z.square().sum());
        }
    }

    /** Copies of every parameter's gradient, in parameter order. */
    static List<float[]> gradients(Classifier f) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            out.add(p.getValue().getArray().getGradient().toFloatArray());
        }
        return out;
    }

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
