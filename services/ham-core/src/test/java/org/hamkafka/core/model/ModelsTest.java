package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {
    static final List<String> TEN = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** Fashion-MNIST-shaped. */
    static final DatasetInfo GRAY28 = new DatasetInfo("gray28", 1, 28, 28, TEN, new float[]{0.3f}, new float[]{0.35f});
    /** CIFAR-10-shaped. */
    static final DatasetInfo RGB32 = new DatasetInfo("rgb32", 3, 32, 32, TEN,
            new float[]{0.49f, 0.48f, 0.45f}, new float[]{0.25f, 0.24f, 0.26f});

    static DatasetInfo info(String name) {
        return name.equals("gray28") ? GRAY28 : RGB32;
    }

    /** Every architecture gives (N, classes) logits on both image shapes, and DJL's count of trainable
     *  parameters equals the analytic one (so the analytic counter describes what was built). */
    @ParameterizedTest
    @CsvSource({"linear,gray28", "linear,rgb32", "tiny-cnn,gray28", "tiny-cnn,rgb32", "smallcnn,gray28",
            "smallcnn,rgb32", "smallcnn-w0.25,gray28", "smallcnn-w0.25,rgb32", "preact-resnet18,gray28", "preact-resnet18,rgb32", "wrn-16-1,gray28", "wrn-16-1,rgb32"})
    void logitsHaveShapeNByClassesAndCountsAgree(String arch, String data) {
        DatasetInfo info = info(data);
        try (Classifier f = Classifier.create(arch, info, Device.cpu(), 3);
             NDManager m = f.manager().newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(3, info.channels(), info.height(), info.width()));
            NDArray eval = f.logits(x, false);
            NDArray train = f.logits(x, true);
            assertEquals(new Shape(3, 10), eval.getShape());
            assertEquals(new Shape(3, 10), train.getShape());
            for (float v : eval.toFloatArray()) {
                assertTrue(Float.isFinite(v), arch + " gave a non-finite logit");
            }
            assertEquals(Models.parameterCount(arch, info), f.trainableParameterCount(), arch + " on " + data);
        }
    }

    @Test
    void linearAndTinyCnnCountsMatchHandCalculation() {
        // linear: 784·10 weights + 10 biases; FLOPs 2·784·10
        assertEquals(784 * 10 + 10, Models.parameterCount("linear", GRAY28));
        assertEquals(2 * 784 * 10, Models.flopsPerExample("linear", GRAY28));
        assertEquals(3072 * 10 + 10, Models.parameterCount("linear", RGB32));
        assertEquals(2 * 3072 * 10, Models.flopsPerExample("linear", RGB32));
        // tiny-cnn on 1×28×28: conv 1·9·8 + 8 = 80, BN 2·8 = 16, pool -> 8×14×14 = 1568, FC 1568·10 + 10
        assertEquals(80 + 16 + 15690, Models.parameterCount("tiny-cnn", GRAY28));
        // conv: 2·(1·9·8)·28·28 = 112,896; FC: 2·1568·10 = 31,360
        assertEquals(112_896 + 31_360, Models.flopsPerExample("tiny-cnn", GRAY28));
        // tiny-cnn on 3×32×32: conv 216 + 8, BN 16, FC 8·16·16·10 + 10; FLOPs 2·27·8·1024 + 2·2048·10
        assertEquals(224 + 16 + 20490, Models.parameterCount("tiny-cnn", RGB32));
        assertEquals(442_368 + 40_960, Models.flopsPerExample("tiny-cnn", RGB32));
    }

    @Test
    void smallCnnCountMatchesReferenceLayout() {
        // CIFAR: convs (3·9+1)·64, (64·9+1)·64, (64·9+1)·128, (128·9+1)·128, (128·9+1)·196, (196·9+1)·196
        long convs = 1792 + 36928 + 73856 + 147584 + 225988 + 345940;
        long bns = 2 * (64 + 64 + 128 + 128 + 196 + 196);
        long fcs = (196L * 4 * 4 * 256 + 256) + (256 * 10 + 10);
        assertEquals(convs + bns + fcs, Models.parameterCount("smallcnn", RGB32));
        assertEquals(1_639_282, Models.parameterCount("smallcnn", RGB32));
        // 28×28 pools to 14, 7, 3: FC1 sees 196·3·3; first conv has 1 input channel
        assertEquals(convs - 2 * 9 * 64 + bns + (196L * 3 * 3 * 256 + 256) + 2570,
                Models.parameterCount("smallcnn", GRAY28));
    }

    @Test
    void narrowSmallCnnCountsMatchHandCalculation() {
        // smallcnn-w0.25 on 1×28×28: channels 16, 32, 49 (196/4); convs (in·9+1)·out, BN 2·out each
        long convs = (9 + 1) * 16 + (16 * 9 + 1) * 16 + (16 * 9 + 1) * 32 + (32 * 9 + 1) * 32
                + (32 * 9 + 1) * 49 + (49 * 9 + 1) * 49;
        long bns = 2 * (16 + 16 + 32 + 32 + 49 + 49);
        long fcs = (49 * 3 * 3 * 256 + 256) + (256 * 10 + 10); // 28 -> 14 -> 7 -> 3; FC 256 kept
        assertEquals(convs + bns + fcs, Models.parameterCount("smallcnn-w0.25", GRAY28));
        assertEquals(168_297, Models.parameterCount("smallcnn-w0.25", GRAY28));
        // multiply-adds: conv in·9·out·H·W at 28², 14², 7², then the two FCs
        long macs = 9L * 16 * 784 + 16 * 9 * 16 * 784 + 16 * 9 * 32 * 196 + 32 * 9 * 32 * 196
                + 32 * 9 * 49 * 49 + 49 * 9 * 49 * 49 + 49 * 9 * 256 + 2560;
        assertEquals(2 * macs, Models.flopsPerExample("smallcnn-w0.25", GRAY28));
        assertEquals(12_989_042, Models.flopsPerExample("smallcnn-w0.25", GRAY28));
        // width 1 is the reference SmallCNN; channels round to the nearest integer (196/8 = 24.5 -> 25)
        assertEquals(Models.parameterCount("smallcnn", RGB32), Models.parameterCount("smallcnn-w1", RGB32));
        assertArrayEquals(new int[]{8, 16, 25}, Models.smallCnnChannels("smallcnn-w0.125"));
        assertArrayEquals(new int[]{128, 256, 392}, Models.smallCnnChannels("smallcnn-w2"));
    }

    @Test
    void preActResNet18MatchesPyTorchCountAndKnownFlops() {
        // PyTorch's PreActResNet18 without a final BN has 11,171,146 parameters on CIFAR-10; the
        // adversarial-training variant used here adds BN(512) before the pool: +2·512.
        assertEquals(11_171_146 + 1024, Models.parameterCount("preact-resnet18", RGB32));
        try (Classifier f = Classifier.create("preact-resnet18", RGB32, Device.cpu(), 1)) {
            assertEquals(11_172_170, f.trainableParameterCount());
            long runningStats = 0;
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                if (!p.getValue().requiresGradient()) {
                    runningStats += p.getValue().getArray().size();
                }
            }
            // BN channels: bn1(in) + bn2(out) per block, stage by stage, plus the final BN(512)
            long bnChannels = (64 + 64) * 2 + (64 + 128) + (128 + 128) + (128 + 256) + (256 + 256)
                    + (256 + 512) + (512 + 512) + 512;
            assertEquals(2 * bnChannels, runningStats); // running mean and running var, not trainable
        }
        // ResNet-18 on 32×32 is 555,422,720 multiply-adds (the widely quoted 0.56 GMACs)
        assertEquals(2L * 555_422_720, Models.flopsPerExample("preact-resnet18", RGB32));
    }

    @Test
    void wideResNetCountsMatchKnownValues() {
        assertEquals(36_479_194, Models.parameterCount("wrn-28-10", RGB32)); // TRADES / Rice et al. WRN-28-10
        assertEquals(46_160_474, Models.parameterCount("wrn-34-10", RGB32)); // TRADES WRN-34-10
        try (Classifier f = Classifier.create("wrn-16-4", RGB32, Device.cpu(), 1)) {
            assertEquals(2_748_890, f.trainableParameterCount()); // "2.7M" in Zagoruyko & Komodakis
        }
    }

    @Test
    void badNamesAreRejectedWithTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.build("resnet50", RGB32));
        for (String known : List.of("linear", "tiny-cnn", "smallcnn", "smallcnn-w<width>", "preact-resnet18",
                "wrn-<depth>-<width>")) {
            assertTrue(e.getMessage().contains(known), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Models.parameterCount("vgg", RGB32));
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class, () -> Models.build("wrn-20-2", RGB32));
        assertTrue(depth.getMessage().contains("6n+4"), depth.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> Models.build("wrn-16-0", RGB32));
        assertTrue(width.getMessage().contains("width"), width.getMessage());
        DatasetInfo tiny = new DatasetInfo("tiny", 1, 4, 4, TEN, new float[]{0f}, new float[]{1f});
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> Models.build("smallcnn", tiny));
        assertTrue(small.getMessage().contains("8x8"), small.getMessage());
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> Models.build("smallcnn-w0", RGB32));
        assertTrue(narrow.getMessage().contains("(0, 4]"), narrow.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Models.parameterCount("smallcnn-w5", RGB32));
        assertTrue(Models.isKnown("smallcnn-w0.25"));
        assertFalse(Models.isKnown("smallcnn-w0.0"));
        assertFalse(Models.isKnown("smallcnn-w"));
        assertTrue(Models.isKnown("wrn-22-2"));
        assertFalse(Models.isKnown("wrn-21-2"));
        assertFalse(Models.isKnown("wrn-<depth>-<width>"));
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        try (Classifier a = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 11);
             Classifier b = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 11);
             Classifier c = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 12)) {
            Map<String, float[]> wa = weights(a);
            Map<String, float[]> wb = weights(b);
            Map<String, float[]> wc = weights(c);
            for (String k : wa.keySet()) {
                assertArrayEquals(wa.get(k), wb.get(k), 0f, k);
            }
            assertFalse(java.util.Arrays.equals(wa.get("02Conv2d_weight"), wc.get("02Conv2d_weight")));
            assertFalse(java.util.Arrays.equals(wa.get("07Linear_weight"), wc.get("07Linear_weight")));
        }
    }

    @Test
    void trainingForwardUpdatesBatchNormRunningStatsInferenceDoesNot() {
        try (Classifier f = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 5);
             NDManager m = f.manager().newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(8, 1, 28, 28));
            Map<String, float[]> before = weights(f);
            f.logits(x, false);
            Map<String, float[]> afterEval = weights(f);
            for (String k : before.keySet()) {
                assertArrayEquals(before.get(k), afterEval.get(k), 0f, k);
            }
            f.logits(x, true);
            Map<String, float[]> afterTrain = weights(f);
            assertFalse(java.util.Arrays.equals(before.get("03BatchNorm_runningMean"), afterTrain.get("03BatchNorm_runningMean")));
            assertFalse(java.util.Arrays.equals(before.get("03BatchNorm_runningVar"), afterTrain.get("03BatchNorm_runningVar")));
            // the trainable parameters are not touched by a forward pass
            assertArrayEquals(before.get("02Conv2d_weight"), afterTrain.get("02Conv2d_weight"), 0f);
        }
    }

    @Test
    void copyWeightsFromGivesIdenticalLogitsAndKeepsGradientFlags() {
        try (Classifier src = Classifier.create("wrn-16-1", GRAY28, Device.cpu(), 1);
             Classifier dst = Classifier.create("wrn-16-1", GRAY28, Device.cpu(), 2);
             NDManager m = src.manager().newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(4, 1, 28, 28));
            src.logits(x, true); // move the running statistics away from their initial values
            NDArray before = dst.logits(x, false);
            NDArray expected = src.logits(x, false);
            assertFalse(java.util.Arrays.equals(before.toFloatArray(), expected.toFloatArray()));
            NDArray firstWeight = dst.block().getParameters().get(0).getValue().getArray();
            dst.copyWeightsFrom(src);
            assertArrayEquals(expected.toFloatArray(), dst.logits(x, false).toFloatArray(), 0f);
            assertTrue(firstWeight == dst.block().getParameters().get(0).getValue().getArray(), "copied in place");
            assertTrue(firstWeight.hasGradient(), "gradient flag kept");
        }
        try (Classifier a = Classifier.create("tiny-cnn", GRAY28, Device.cpu(), 1);
             Classifier b = Classifier.create("linear", GRAY28, Device.cpu(), 1)) {
            assertThrows(IllegalArgumentException.class, () -> a.copyWeightsFrom(b));
        }
    }

    static Map<String, float[]> weights(Classifier f) {
        Map<String, float[]> out = new HashMap<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
