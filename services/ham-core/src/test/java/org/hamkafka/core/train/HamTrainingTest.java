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

    @Test
    void twoShardsGatheredEqualTheUnshardedAttackAndTrainingStep() {
        int n = 12;
        int split = 5;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 100 + i;
        }
        HamTraining method = ham(0.02f, true);
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
}
