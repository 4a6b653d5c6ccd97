package org.hamkafka.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HamTrainingTest {
    static final DatasetInfo ONE_PIXEL = new DatasetInfo("one-pixel", 1, 1, 1, List.of("dark", "bright"),
            new float[]{0f}, new float[]{1f});
    static final DatasetInfo SMALL = new DatasetInfo("small", 1, 2, 2, List.of("a", "b", "c"),
            new float[]{0.5f}, new float[]{0.25f});

    static List<float[]> weights(Classifier f) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    static void assertSameWeights(List<float[]> a, List<float[]> b, float tol) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), tol);
        }
    }

    /** logits = [0, 10·(x - 0.5)]: "bright" iff x > 0.5. */
    static Classifier threshold() {
        Classifier f = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 0);
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            p.getValue().getArray().set(p.getKey().endsWith("weight") ? new float[]{0f, 10f} : new float[]{0f, -5f});
        }
        JniUtils.setGradMode(mode);
        return f;
    }

    static HamTraining ham(float eps, boolean weighting) {
        return new HamTraining(eps, eps / 4, 10, 3, Norm.LINF, -1f, 0f, weighting, false, 0);
    }

    @Test
    void easyBatchTakesNoOptimizerStepAndLeavesWeightsUnchanged() {
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.1f, 0.2f, 0.8f, 0.9f}).reshape(4, 1, 1, 1);
            NDArray y = m.create(new long[]{0, 0, 1, 1});
            List<float[]> before = weights(f);
            StepResult r = ham(0.05f, true).step(f, new SgdMomentum(0.9f, 2e-4f), x, y,
                    new long[]{0, 1, 2, 3}, 42, 0, 0.1f);
            assertFalse(r.stepped());
            assertEquals(0, r.examplesTrained());
            assertEquals(4, r.examplesIn());
            assertEquals(0, r.attackStats().examplesKept());
            assertTrue(Float.isNaN(r.loss()));
            assertSameWeights(before, weights(f), 0f);
        }
    }

    @Test
    void warmupEpochsArePgdAtOnEveryRow() {
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.1f, 0.9f}).reshape(2, 1, 1, 1);
            NDArray y = m.create(new long[]{0, 1});
            HamTraining h = new HamTraining(0.05f, 0.0125f, 10, 3, Norm.LINF, -1f, 0f, true, false, 1);
            StepResult warm = h.step(f, new SgdMomentum(0.9f, 0f), x, y, new long[]{0, 1}, 1, 0, 0.1f);
            assertTrue(warm.stepped(), "epoch 0 is warm-up PGD-AT: trains on the easy rows too");
            assertEquals(2, warm.examplesTrained());
        }
    }

    /** A batch where some rows cross the boundary by K' and some do not. */
    static NDArray[] batch(NDManager m, int n) {
        Random r = new Random(5);
        float[] px = new float[n * 4];
        long[] labels = new long[n];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat();
        }
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(3);
        }
        return new NDArray[]{m.create(px).reshape(n, 1, 2, 2), m.create(labels)};
    }

    static HamTraining hamTrades(float eps, boolean weighting, int warmupEpochs) {
        return HamTraining.onTrades(eps, eps / 4, 10, 3, Norm.LINF, -1f, 0f, weighting, false, warmupEpochs, 2f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ham", "ham-trades"})
    void twoShardsGatheredEqualTheUnshardedAttackAndTrainingStep(String name) {
        int n = 12;
        int split = 5;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 100 + i;
        }
        HamTraining method = name.equals("ham") ? ham(0.02f, true) : hamTrades(0.05f, true, 0);
        assertEquals(name, method.name());
        try (Classifier f = Classifier.create("linear", SMALL, Device.cpu(), 9);
             Classifier g = Classifier.create("linear", SMALL, Device.cpu(), 9);
             NDManager m = f.manager().newSubManager()) {
            NDArray[] b = batch(m, n);
            NDArray x = b[0];
            NDArray y = b[1];
            AttackOutput whole = method.attack(f, x, y, ids, 77, 0);

            AttackOutput s1 = method.attack(f, x.get("0:" + split), y.get("0:" + split),
                    Arrays.copyOfRange(ids, 0, split), 77, 0);
            AttackOutput s2 = method.attack(f, x.get(split + ":"), y.get(split + ":"),
                    Arrays.copyOfRange(ids, split, n), 77, 0);
            AttackOutput gathered = AttackOutputs.gather(List.of(s1, s2), new int[]{0, split}, m);

            int hard = whole.keptIndices().length;
            assertTrue(hard > 0 && hard < n, "the test batch needs both easy and hard rows; hard = " + hard);
            assertTrue(s1.keptIndices().length > 0 && s2.keptIndices().length > 0, "both shards need hard rows");
            assertArrayEquals(whole.keptIndices(), gathered.keptIndices());
            assertArrayEquals(whole.variation(), gathered.variation(), 1e-6f);
            assertArrayEquals(whole.adversarial().toFloatArray(), gathered.adversarial().toFloatArray(), 1e-6f);
            assertEquals(whole.stats().examplesIn(), gathered.stats().examplesIn());
            assertEquals(whole.stats().forwardRows(), gathered.stats().forwardRows());
            assertEquals(whole.stats().backwardRows(), gathered.stats().backwardRows());

            // the training half normalises the weights over the gathered batch: same step either way
            StepResult rw = method.train(f, new SgdMomentum(0.9f, 2e-4f), x, y, whole, 0.1f, 0);
            StepResult rg = method.train(g, new SgdMomentum(0.9f, 2e-4f), x, y, gathered, 0.1f, 0);
            assertEquals(hard, rw.examplesTrained());
            assertEquals(rw.loss(), rg.loss(), 1e-6f);
            assertSameWeights(weights(f), weights(g), 1e-6f);
        }
    }

    @Test
    void hardWeightsHaveMeanOneAndUniformVariantIsAllOnes() {
        float[] v = {0.1f, 0.5f, 1.2f};
        float[] w = ham(0.1f, true).hardWeights(v);
        assertEquals(3.0, w[0] + w[1] + w[2], 1e-5);
        assertTrue(w[0] < w[1] && w[1] < w[2], "larger variation, larger weight");
        assertArrayEquals(new float[]{1f, 1f, 1f}, ham(0.1f, false).hardWeights(v), 0f);
    }

    /**
     * HAM on TRADES' training half, by hand: (1/n) Σ_hard ŵ_i·(CE(f(x_i), y_i) + β·KL(p(x_i) || p(x_adv,i)))
     * from the model's logits; with uniform weights the same step as TRADES' own on the hard rows alone.
     */
    @Test
    void hamOnTradesWeighsTheHardRowsTradesLoss() {
        int n = 12;
        long[] ids = java.util.stream.LongStream.range(0, n).toArray();
        float beta = 2f;
        try (Classifier f = Classifier.create("linear", SMALL, Device.cpu(), 9);
             Classifier g = Classifier.create("linear", SMALL, Device.cpu(), 9);
             NDManager m = f.manager().newSubManager()) {
            NDArray[] b = batch(m, n);
            NDArray x = b[0];
            NDArray y = b[1];
            HamTraining weighted = hamTrades(0.05f, true, 0);
            AttackOutput out = weighted.attack(f, x, y, ids, 77, 0);
            int[] hard = out.keptIndices();
            assertTrue(hard.length > 0 && hard.length < n, "the batch needs both easy and hard rows: " + hard.length);
            NDArray rows = m.create(Starts.toLong(hard));
            NDArray xh = x.get(rows);
            NDArray yh = y.get(rows);

            // the loss by hand, before the step (the linear model has no BatchNorm: training mode changes nothing)
            float[] w = weighted.hardWeights(out.variation());
            float[] lc = f.logits(xh, false).toFloatArray();
            float[] la = f.logits(out.adversarial(), false).toFloatArray();
            long[] labels = yh.toLongArray();
            double expected = 0;
            for (int i = 0; i < hard.length; i++) {
                double[] pc = softmax(lc, i * 3);
                double[] pa = softmax(la, i * 3);
                double kl = 0;
                for (int c = 0; c < 3; c++) {
                    kl += pc[c] * (Math.log(pc[c]) - Math.log(pa[c]));
                }
                expected += w[i] * (-Math.log(pc[(int) labels[i]]) + beta * kl);
            }
            expected /= hard.length;
            StepResult r = weighted.train(f, new SgdMomentum(0.9f, 0f), x, y, out, 0.1f, 0);
            assertEquals(hard.length, r.examplesTrained());
            assertEquals(2L * hard.length, r.trainForwardRows());
            assertEquals(expected, r.loss(), 1e-5);

            // uniform weights: TRADES' own training step on the hard rows and their adversarial rows
            HamTraining uniform = hamTrades(0.05f, false, 0);
            List<float[]> before = weights(g);
            StepResult ru = uniform.train(g, new SgdMomentum(0.9f, 0f), x, y, out, 0.1f, 0);
            List<float[]> afterHam = weights(g);
            try (Classifier h = Classifier.create("linear", SMALL, Device.cpu(), 9)) {
                assertSameWeights(before, weights(h), 0f);
                AttackOutput asTrades = new AttackOutput(out.adversarial(), Starts.all(hard.length), null, out.stats());
                StepResult rt = new TradesTraining(0.05f, 0.0125f, 10, beta, Norm.LINF)
                        .train(h, new SgdMomentum(0.9f, 0f), xh, yh, asTrades, 0.1f, 0);
                assertEquals(rt.loss(), ru.loss(), 1e-6f);
                assertSameWeights(weights(h), afterHam, 1e-6f);
            }
        }
    }

    @Test
    void hamOnTradesWarmsUpWithTrades() {
        int n = 8;
        long[] ids = java.util.stream.LongStream.range(0, n).toArray();
        try (Classifier f = Classifier.create("linear", SMALL, Device.cpu(), 9); NDManager m = f.manager().newSubManager()) {
            NDArray[] b = batch(m, n);
            AttackOutput warm = hamTrades(0.05f, true, 1).attack(f, b[0], b[1], ids, 3, 0);
            AttackOutput trades = new TradesTraining(0.05f, 0.0125f, 10, 2f, Norm.LINF).attack(f, b[0], b[1], ids, 3, 0);
            assertArrayEquals(Starts.all(n), warm.keptIndices(), "warm-up attacks every row");
            assertArrayEquals(trades.adversarial().toFloatArray(), warm.adversarial().toFloatArray(), 0f);
            assertEquals(trades.stats().forwardRows(), warm.stats().forwardRows());
        }
    }

    private static double[] softmax(float[] logits, int from) {
        double max = Math.max(logits[from], Math.max(logits[from + 1], logits[from + 2]));
        double[] e = new double[3];
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            e[c] = Math.exp(logits[from + c] - max);
            sum += e[c];
        }
        for (int c = 0; c < 3; c++) {
            e[c] /= sum;
        }
        return e;
    }
}
