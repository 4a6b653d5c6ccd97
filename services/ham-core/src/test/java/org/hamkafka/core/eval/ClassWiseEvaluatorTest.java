package org.hamkafka.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassWiseEvaluatorTest {
    static final DatasetInfo ONE_PIXEL = new DatasetInfo("one-pixel", 1, 1, 1, List.of("dark", "bright"),
            new float[]{0f}, new float[]{1f});

    /** logits = [0, 10·(x - 0.5)]: predicts "bright" iff x > 0.5. */
    static Classifier threshold() {
        Classifier f = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 0);
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            if (p.getKey().endsWith("weight")) {
                a.set(new float[]{0f, 10f});
            } else {
                a.set(new float[]{0f, -5f});
            }
        }
        JniUtils.setGradMode(mode);
        return f;
    }

    @Test
    void perClassCleanAndRobustAccuracyOfAHandBuiltThresholdModel() {
        // dark (label 0): 0.1, 0.45, 0.7 (wrong) -> clean 2/3; bright (label 1): 0.9, 0.55 -> clean 2/2
        float[] pixels = {0.1f, 0.45f, 0.7f, 0.9f, 0.55f};
        int[] labels = {0, 0, 0, 1, 1};
        Dataset d = new Dataset(ONE_PIXEL, pixels, labels);
        try (Classifier f = threshold()) {
            // eps 0.1 PGD: 0.45 and 0.55 are pushed across 0.5, 0.1 and 0.9 are out of reach
            ClassWiseEvaluator ev = new ClassWiseEvaluator(List.of(new Pgd(0.1f, 0.025f, 10, Norm.LINF, true, 1)), 2);
            ClassWiseReport r = ev.evaluate(f, d);
            assertArrayEquals(new double[]{2.0 / 3, 1.0}, r.clean().perClass(), 1e-12);
            assertArrayEquals(new double[]{1.0 / 3, 0.5}, r.robust("pgd-10").perClass(), 1e-12);
            assertEquals("dark", r.robust("pgd-10").worstClass());
            assertArrayEquals(new long[]{3, 2}, r.classCounts());
            assertArrayEquals(new long[]{2, 1}, r.cleanConfusion()[0]);
            assertTrue(r.attacks().contains("pgd-10"));
        }
    }

    /** Moves every pixel by a fixed amount: a hand-built attack whose outcome is known. */
    record Shift(String name, float delta) implements org.hamkafka.core.attack.Attack {
        @Override
        public NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start) {
            return x.add(delta).clip(0f, 1f);
        }

        @Override
        public java.util.Map<String, Object> settings() {
            return java.util.Map.of("delta", delta);
        }

        @Override
        public long forwardRows() {
            return 0;
        }

        @Override
        public long backwardRows() {
            return 0;
        }
    }

    @Test
    void anExampleIsRobustInTheWorstCaseOnlyIfItSurvivesEveryAttack() {
        // dark (label 0): 0.1, 0.45, 0.7 (wrong clean); bright (label 1): 0.9, 0.55. Threshold 0.5.
        // up (+0.1) breaks only dark 0.45; down (-0.1) breaks only bright 0.55:
        //   up:    dark 1/3 (0.1 ok), bright 2/2;   down: dark 2/3, bright 1/2
        //   worst: dark 1/3, bright 1/2 — lower than either attack alone in some class
        float[] pixels = {0.1f, 0.45f, 0.7f, 0.9f, 0.55f};
        int[] labels = {0, 0, 0, 1, 1};
        Dataset d = new Dataset(ONE_PIXEL, pixels, labels);
        try (Classifier f = threshold()) {
            ClassWiseReport r = new ClassWiseEvaluator(List.of(new Shift("up", 0.1f), new Shift("down", -0.1f)), 2)
                    .evaluate(f, d);
            assertEquals(List.of("up", "down", ClassWiseReport.WORST_CASE), r.attacks());
            assertArrayEquals(new double[]{1.0 / 3, 1.0}, r.robust("up").perClass(), 1e-12);
            assertArrayEquals(new double[]{2.0 / 3, 0.5}, r.robust("down").perClass(), 1e-12);
            assertArrayEquals(new double[]{1.0 / 3, 0.5}, r.robust(ClassWiseReport.WORST_CASE).perClass(), 1e-12);
            assertEquals(ClassWiseReport.WORST_CASE, r.headline());
            // each attack's info: its settings; the evaluator's forward that reads its output (5 rows), no backward
            assertEquals(0.1f, r.attackInfo().get("up").settings().get("delta"));
            assertEquals(5, r.attackInfo().get("up").forwardRows());
            assertEquals(0, r.attackInfo().get("down").backwardRows());
        }
    }

    @Test
    void overConfidentAdversarialExamplesAreCountedPerClass() {
        // p(bright) rises with x. up (+0.1) lowers p(dark) of every dark example and raises p(bright) of both
        // bright ones (0.9 -> 1.0, 0.55 -> 0.65): over-confident dark 0/3, bright 2/2. down (-0.1): dark 3/3
        // (0.1 -> 0.0, 0.45 -> 0.35, 0.7 -> 0.6, whether or not classified right), bright 0/2
        float[] pixels = {0.1f, 0.45f, 0.7f, 0.9f, 0.55f};
        Dataset d = new Dataset(ONE_PIXEL, pixels, new int[]{0, 0, 0, 1, 1});
        try (Classifier f = threshold()) {
            ClassWiseReport r = new ClassWiseEvaluator(List.of(new Shift("up", 0.1f), new Shift("down", -0.1f),
                    new Shift("none", 0f)), 2).evaluate(f, d);
            assertArrayEquals(new long[]{0, 2}, r.overConfident().get("up"));
            assertArrayEquals(new long[]{3, 0}, r.overConfident().get("down"));
            assertArrayEquals(new long[]{0, 0}, r.overConfident().get("none"), "equal confidence is not higher");
            assertArrayEquals(new double[]{0, 1}, r.overConfidentShares().get("up"), 1e-12);
            assertArrayEquals(new double[]{1, 0}, r.overConfidentShares().get("down"), 1e-12);
            assertEquals(List.of("up", "down", "none"), List.copyOf(r.overConfident().keySet()), "no worst-case entry");
            // the report carries the shares and reads them back
            Report report = Report.fromJson(Report.of(org.hamkafka.core.train.TrainConfig.defaults("fashion-mnist"),
                    r, null).toJson());
            assertArrayEquals(new double[]{1, 0}, report.overConfident().get("down"), 1e-12);
        }
    }

    @Test
    void pgdCountsItsPassesAndOneAttackIsItsOwnHeadline() {
        float[] pixels = {0.1f, 0.45f, 0.7f, 0.9f, 0.55f};
        Dataset d = new Dataset(ONE_PIXEL, pixels, new int[]{0, 0, 0, 1, 1});
        try (Classifier f = threshold()) {
            ClassWiseReport r = new ClassWiseEvaluator(List.of(new Pgd(0.1f, 0.025f, 10, Norm.LINF, true, 1)), 2)
                    .evaluate(f, d);
            assertEquals(List.of("pgd-10"), r.attacks(), "no worst case over a single attack");
            assertEquals("pgd-10", r.headline());
            // 10 steps of one forward + one backward over 5 examples, plus the forward that reads the output
            assertEquals(55, r.attackInfo().get("pgd-10").forwardRows());
            assertEquals(50, r.attackInfo().get("pgd-10").backwardRows());
            assertEquals(10, r.attackInfo().get("pgd-10").settings().get("steps"));
        }
    }

    @Test
    void standardAttackNamesBuildTheEvaluationAttacks() {
        var attacks = EvaluationAttacks.create(List.of("pgd-20", "cw-20"), 0.1f, Norm.LINF, 0);
        assertEquals("pgd-20", attacks.get(0).name());
        assertEquals("cw-20", attacks.get(1).name());
    }
}
