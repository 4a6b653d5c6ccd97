package org.hamkafka.core.train;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.model.Classifier;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A fixed tiny HAM job whose convolutions are the shapes the engine got wrong on an AMD EPYC (smallcnn-w0.125:
 * 8→8, 8→16, 16→24, 24→24), run in this process or in a child JVM (its main prints the result), so a test can
 * compare processes and kernels: the sha256 of the trained weights' bytes and the clean accuracy on its data.
 */
public final class FixedJob {
    static final DatasetInfo INFO = new DatasetInfo("synthetic8", 1, 8, 8, List.of("a", "b", "c"),
            new float[]{0.5f}, new float[]{0.3f});

    private FixedJob() {
    }

    /** 96 images of 8×8: class c is brighter in rows 2c and 2c+1, plus noise. */
    static Dataset data() {
        Random r = new Random(11);
        int n = 96;
        float[] px = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 64; j++) {
                px[i * 64 + j] = 0.5f * r.nextFloat() + (j / 16 == labels[i] ? 0.4f : 0f);
            }
        }
        return new Dataset(INFO, px, labels);
    }

    static TrainConfig config() {
        return TrainConfig.defaults().with(p -> {
            p.model = "smallcnn-w0.125";
            p.device = "cpu";
            p.method = "ham";
            p.epochs = 3;
            p.warmupEpochs = 1;
            p.batchSize = 32;
            p.eps = 0.1f;
            p.alpha = 0.025f;
            p.lr = 0.05f;
            p.seed = 7L;
        });
    }

    /** "sha256 clean-accuracy pgd-20-accuracy" of the trained job, accuracies on its own 96 images. */
    static String run() {
        TrainConfig cfg = config();
        Dataset d = data();
        TrainingRun run = new TrainingRun(cfg);
        try (Classifier f = run.newModel(d)) {
            run.train(f, d);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                float[] v = p.getValue().getArray().toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                sha.update(b.array());
            }
            ClassWiseReport report = new ClassWiseEvaluator(EvaluationAttacks.create(List.of("pgd-20"),
                    cfg.threat().eps(), cfg.threat().threatNorm(), cfg.data().seed()), 32).evaluate(f, d);
            return HexFormat.of().formatHex(sha.digest()) + " " + report.clean().average() + " "
                    + report.robust("pgd-20").average();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        System.out.println("RESULT " + run());
    }
}
