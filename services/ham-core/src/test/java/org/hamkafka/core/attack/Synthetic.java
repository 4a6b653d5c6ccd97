package org.hamkafka.core.attack;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.StandardTraining;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small learnable data set and a model trained on it, for tests that need a real (non-linear,
 * trained) classifier but must run in seconds and without files: 10 classes of 1×8×8 images, each
 * class a fixed random prototype in [0.2, 0.8] plus Gaussian pixel noise (sd 0.2), clipped to [0,1].
 */
final class Synthetic {
    static final DatasetInfo INFO = info();

    private Synthetic() {
    }

    private static DatasetInfo info() {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            names.add("c" + c);
        }
        return new DatasetInfo("synthetic-8x8", 1, 8, 8, names, new float[]{0.5f}, new float[]{0.25f});
    }

    /** n examples, classes in turn (balanced); the prototypes are the same for every seed. */
    static Dataset data(int n, long seed) {
        int per = INFO.pixelsPerImage();
        Random protoRandom = new Random(2024);
        float[][] proto = new float[10][per];
        for (float[] p : proto) {
            for (int j = 0; j < per; j++) {
                p[j] = 0.2f + 0.6f * protoRandom.nextFloat();
            }
        }
        Random r = new Random(seed);
        float[] pixels = new float[n * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int j = 0; j < per; j++) {
                float v = proto[labels[i]][j] + (float) (0.2 * r.nextGaussian());
                pixels[i * per + j] = Math.min(1f, Math.max(0f, v));
            }
        }
        return new Dataset(INFO, pixels, labels);
    }

    /** tiny-cnn (for train's data set) trained with plain SGD (momentum 0.9, lr 0.05, batch 50) for {@code epochs} epochs. */
    static Classifier trainedTinyCnn(Dataset train, int epochs) {
        Classifier f = Classifier.create("tiny-cnn", train.info(), Device.cpu(), 7);
        SgdMomentum sgd = new SgdMomentum(0.9f, 5e-4f);
        StandardTraining method = new StandardTraining();
        int batch = 50;
        for (int e = 0; e < epochs; e++) {
            for (int from = 0; from + batch <= train.size(); from += batch) {
                int[] rows = new int[batch];
                long[] ids = new long[batch];
                for (int i = 0; i < batch; i++) {
                    rows[i] = from + i;
                    ids[i] = from + i;
                }
                try (NDManager m = f.manager().newSubManager()) {
                    method.step(f, sgd, train.images(m, rows), train.labels(m, rows), ids, e, e, 0.05f);
                }
            }
        }
        return f;
    }

    /** A copy of f whose logits are multiplied by {@code scale} (its last layer's weight and bias scaled). */
    static Classifier scaledLogits(Classifier f, float scale) {
        Classifier g = Classifier.create(f.arch(), f.info(), Device.cpu(), 0);
        g.copyWeightsFrom(f);
        List<Pair<String, Parameter>> ps = new ArrayList<>();
        g.block().getParameters().forEach(ps::add);
        // the final Linear is the last block: its weight and bias are the last two parameters
        for (Pair<String, Parameter> p : ps.subList(ps.size() - 2, ps.size())) {
            NDArray a = p.getValue().getArray();
            a.set(a.mul(scale).toFloatArray());
        }
        return g;
    }

    /** Fraction of rows f classifies as y at the given points. */
    static double accuracy(Classifier f, NDArray points, NDArray y) {
        long[] p = f.logits(points, false).argMax(1).toLongArray();
        long[] l = y.toLongArray();
        int ok = 0;
        for (int i = 0; i < l.length; i++) {
            ok += p[i] == l[i] ? 1 : 0;
        }
        return (double) ok / l.length;
    }
}
