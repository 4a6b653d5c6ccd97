package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FRL's and WAT's class-wise updates on numbers worked out by hand, and the rules inside the training loop. */
class FairnessRuleTest {
    /** Three classes of 10 validation examples: clean hits 9, 8, 4; attacked hits 7, 4, 0. */
    private static ClassValidation errors() {
        return new ClassValidation(new int[]{10, 10, 10}, new int[]{9, 8, 4}, new int[]{7, 4, 0}, new double[3],
                new double[3]);
    }

    /**
     * α 0.5, τ 0. Clean errors 0.1, 0.2, 0.6 against 0.3 overall: γ0 = (-0.2, -0.1, 0.3), so λ0 = (0, 0, 0.15) and the
     * natural weights 1/3 + λ0 - 0.05 = (0.2833, 0.2833, 0.4333). Boundary errors 0.2, 0.4, 0.4 against 10/30:
     * γ1 = (-2/15, 1/15, 1/15), λ1 = clip(2α·γ1) = (0, 1/15, 1/15), boundary weights 1/3 + λ1 - 2/45 =
     * (0.2889, 0.3556, 0.3556); λ2 = 2α·γ1 = (-2/15, 1/15, 1/15), margins eps·clamp(exp(2λ2), 0.98, 2.5) =
     * eps·(0.98, e^(2/15), e^(2/15)).
     */
    @Test
    void frlMovesItsMultipliersByTheClassesErrorsAgainstTheAverage() {
        FrlRule frl = new FrlRule(0.1f, 0.025f, Norm.LINF, 0.5, 0.0);
        FairnessState s = frl.update(frl.initial(3), errors(), 0);
        assertEquals(0, s.epoch());
        double[] v = s.values();
        assertArrayEquals(new double[]{0, 0, 0.15}, Arrays.copyOfRange(v, 0, 3), 1e-12);
        assertArrayEquals(new double[]{0, 1 / 15.0, 1 / 15.0}, Arrays.copyOfRange(v, 3, 6), 1e-12);
        assertArrayEquals(new double[]{-2 / 15.0, 1 / 15.0, 1 / 15.0}, Arrays.copyOfRange(v, 6, 9), 1e-12);
        assertFloats(new float[]{0.28333f, 0.28333f, 0.43333f}, FrlRule.weights(v, 0, 3));
        assertFloats(new float[]{0.28889f, 0.35556f, 0.35556f}, FrlRule.weights(v, 1, 3));
        float m = (float) Math.exp(2 / 15.0);
        assertFloats(new float[]{0.098f, 0.1f * m, 0.1f * m}, frl.classEps(s));
        // the next epoch starts from these: the same errors move them on (λ2 unclipped, to -4/15)
        FairnessState next = frl.update(s, errors(), 1);
        assertEquals(-4 / 15.0, next.values()[6], 1e-12);
        assertEquals(0.3, next.values()[2], 1e-12);
    }

    /** Multipliers are clipped at 0 and, when they sum above 0.5, scaled back to 0.5; weights always sum to 1. */
    @Test
    void frlCapsItsMultipliersAtHalf() {
        assertArrayEquals(new double[]{0.2, 0, 0.3}, FrlRule.capped(new double[]{0.4, -0.1, 0.6}), 1e-12);
        assertArrayEquals(new double[]{0.1, 0, 0.2}, FrlRule.capped(new double[]{0.1, -3, 0.2}), 1e-12);
        FrlRule frl = new FrlRule(0.1f, 0.025f, Norm.LINF, 5.0, 0.0);
        double[] v = frl.update(frl.initial(3), errors(), 0).values();
        assertEquals(0.5, v[0] + v[1] + v[2], 1e-12, "5·γ0 = (−1, −0.5, 1.5) → (0, 0, 1.5) → scaled to 0.5");
        assertFloats(new float[]{1 / 3f - 1 / 6f, 1 / 3f - 1 / 6f, 1 / 3f + 1 / 3f}, FrlRule.weights(v, 0, 3));
    }

    /**
     * Two classes of 4: summed CE 2 and 6, summed KL 2 and 0; β 1: class losses 1.0 and 1.5, the average's 10/8 =
     * 1.25. With η = 4·ln 2 the experts' exp(η·S) are 2^4, 2^6, 2^5 = 16, 64, 32; w = 2·(16, 64, 32)/112, so class
     * weights w_c + w_avg = (48, 96)·2/112, relative to their mean 2/3 and 4/3.
     */
    @Test
    void watWeightsTheClassesByHedgeOverTheirSummedValidationLosses() {
        double eta = 4 * Math.log(2);
        WatRule wat = new WatRule(0.1f, 0.025f, 3, Norm.LINF, 1.0, eta);
        ClassValidation v = new ClassValidation(new int[]{4, 4}, new int[]{4, 4}, new int[]{4, 4},
                new double[]{2, 6}, new double[]{2, 0});
        FairnessState s = wat.update(wat.initial(2), v, 0);
        assertArrayEquals(new double[]{1.0, 1.5, 1.25}, s.values(), 1e-12);
        assertArrayEquals(new double[]{2 * 16 / 112.0, 2 * 64 / 112.0, 2 * 32 / 112.0},
                WatRule.expertWeights(s.values(), eta), 1e-12);
        ClassWeights w = ClassWeights.of(WatRule.classWeights(s.values(), eta));
        assertEquals(2 / 3f, w.relative(0), 1e-6);
        assertEquals(4 / 3f, w.relative(1), 1e-6);
        assertNull(wat.classEps(s), "WAT attacks every class within eps");
        // the sums go on: the same losses again double S
        assertArrayEquals(new double[]{2.0, 3.0, 2.5}, wat.update(s, v, 1).values(), 1e-12);
    }

    /** TRADES with the same class weights on both terms trains as TRADES with those weights on the whole loss. */
    @Test
    void equalTermWeightsTrainAsOneClassWeight() {
        Dataset d = TrainingRunTest.synthetic();
        TrainConfig cfg = TrainingRunTest.smallHam().with(p -> p.method = "trades");
        ClassWeights w = ClassWeights.of(List.of(1f, 3f, 2f));
        TradesTraining trades = new TradesTraining(0.3f, 0.1f, 2, 1f, Norm.LINF);
        List<float[]> one = oneStep(cfg, d, trades.withClassWeights(w));
        List<float[]> both = oneStep(cfg, d, trades.withTermWeights(w, w));
        List<float[]> plain = oneStep(cfg, d, trades);
        float moved = 0;
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i), both.get(i), 1e-6f, "parameter " + i);
            for (int j = 0; j < one.get(i).length; j++) {
                moved = Math.max(moved, Math.abs(one.get(i)[j] - plain.get(i)[j]));
            }
        }
        assertTrue(moved > 1e-5, "the weights change the step: " + moved);
    }

    private static List<float[]> oneStep(TrainConfig cfg, Dataset d, TrainingMethod m) {
        TrainingRun run = new TrainingRun(cfg);
        try (Classifier f = run.newModel(d); NDManager sub = f.manager().newSubManager()) {
            int[] rows = new int[16];
            Arrays.setAll(rows, i -> i);
            NDArray x = d.images(sub, rows);
            NDArray y = d.labels(sub, rows);
            SgdMomentum opt = new SgdMomentum(0.9f, 0f);
            m.step(f, opt, x, y, Starts.toLong(rows), 7, 0, 0.1f);
            opt.clear();
            return TrainingRunTest.weights(f);
        }
    }

    /**
     * FRL in the loop: each epoch starts with an update (its epoch in the state, its passes counted), trains
     * another model than TRADES, and a run resumed from the state after epoch 1 — the multipliers coming back exactly
     * through the archive — ends as the run without a stop, bit for bit.
     */
    @Test
    void frlInTheLoopUpdatesEachEpochAndResumesExactly() {
        Dataset d = TrainingRunTest.synthetic();
        Dataset validation = TrainingRunTest.synthetic();
        TrainConfig frl = TrainingRunTest.smallHam().with(p -> {
            p.method = "frl";
            p.validationSize = 30;
            p.frlBound = 0f;
            p.frlRate = 0.5f;
        });
        List<StepDone> seen = new ArrayList<>();
        TrainingRun run = new TrainingRun(frl).withValidation(validation);
        List<float[]> straight;
        byte[] afterFirst;
        TrainingCost cost;
        try (Classifier f = run.newModel(d)) {
            SgdMomentum opt = new SgdMomentum(0.9f, 2e-4f);
            byte[][] state = new byte[1][];
            TrainingListener keep = new TrainingListener() {
                @Override
                public void epochDone(StepDone last) {
                    if (last.epoch() == 0) {
                        state[0] = StateArchive.write(f, opt, last.next());
                    }
                }
            };
            try (TrainingRun.Steps steps = run.steps(f, d, opt, run.localAttack(f), Position.START,
                    List.of(TrainingListener.onStep(seen::add), keep))) {
                cost = steps.run().cost();
            }
            straight = TrainingRunTest.weights(f);
            afterFirst = state[0];
        }
        assertEquals(0, seen.get(0).fairness().epoch());
        assertEquals(1, seen.get(seen.size() - 1).fairness().epoch());
        assertTrue(Arrays.stream(seen.get(0).fairness().values()).anyMatch(x -> x != 0), "the first update moved λ");
        // 2 epochs of 3 batches of 16 under TRADES (K = 10: 11 forwards, 10 backwards a row), and two validations
        // of 48 under PGD-20 (22 forwards, 20 backwards a row)
        assertEquals(2L * 48 * 11 + 2L * 48 * 22, cost.attackForwardRows());
        assertEquals(2L * 48 * 10 + 2L * 48 * 20, cost.attackBackwardRows());

        TrainingRun again = new TrainingRun(frl).withValidation(validation);
        try (Classifier f = again.newModel(d)) {
            SgdMomentum opt = new SgdMomentum(0.9f, 2e-4f);
            Position p = StateArchive.read(afterFirst, f, opt);
            assertNotNull(p.fairness());
            assertEquals(seen.get(0).fairness(), p.fairness(), "the multipliers come back bit for bit");
            try (TrainingRun.Steps steps = again.steps(f, d, opt, again.localAttack(f), p, List.of())) {
                steps.run();
            }
            List<float[]> resumed = TrainingRunTest.weights(f);
            for (int i = 0; i < straight.size(); i++) {
                assertArrayEquals(straight.get(i), resumed.get(i), 0f, "parameter " + i);
            }
        }
        TrainingCost[] c = new TrainingCost[1];
        List<float[]> trades = TrainingRunTest.run(frl.with(p -> p.method = "trades"), d, new ArrayList<>(), c);
        assertTrue(differ(straight, trades), "FRL trains another model than TRADES");
    }

    /** WAT in the loop: one update per epoch, class weights off uniform, no budgets. */
    @Test
    void watInTheLoopWeightsTheClassesItMeasuresWorse() {
        Dataset d = TrainingRunTest.synthetic();
        TrainConfig wat = TrainingRunTest.smallHam().with(p -> {
            p.method = "wat";
            p.validationSize = 30;
            p.watEta = 1f;
        });
        List<StepDone> seen = new ArrayList<>();
        TrainingRun run = new TrainingRun(wat).withValidation(TrainingRunTest.synthetic());
        try (Classifier f = run.newModel(d)) {
            run.train(f, d, TrainingListener.onStep(seen::add));
        }
        FairnessState last = seen.get(seen.size() - 1).fairness();
        assertEquals(1, last.epoch());
        assertEquals(4, last.values().length, "3 classes and their average");
        List<Float> w = WatRule.classWeights(last.values(), 1.0);
        // the class with the largest summed loss carries the largest weight
        int worst = 0;
        for (int c = 1; c < 3; c++) {
            worst = last.values()[c] > last.values()[worst] ? c : worst;
        }
        for (int c = 0; c < 3; c++) {
            assertTrue(w.get(worst) >= w.get(c), "class " + worst + " (worst) vs " + c + ": " + w);
        }
    }

    /**
     * The validation split is held out of the training split: class-balanced, disjoint from the training examples
     * (with and without a training subset), and the training split is the rest.
     */
    @Test
    void theValidationSplitIsClassBalancedAndHeldOutOfTraining(@TempDir Path dir) throws Exception {
        writeSquares(dir, 90);
        TrainConfig cfg = TrainConfig.defaults("idx:squares").with(p -> {
            p.dataDir = dir.toString();
            p.method = "wat";
            p.validationSize = 30;
        });
        Dataset v = TrainingRun.loadValidation(cfg);
        Dataset t = TrainingRun.loadTrain(cfg);
        assertEquals(30, v.size());
        assertArrayEquals(new int[]{10, 10, 10}, v.classCounts());
        assertEquals(60, t.size());
        assertTrue(disjoint(v, t), "no validation image is trained on");
        Dataset sub = TrainingRun.loadTrain(cfg.with(p -> p.trainSubset = 30));
        assertEquals(30, sub.size());
        assertTrue(disjoint(v, sub), "nor one of a training subset");
        assertEquals(90, TrainingRun.loadTrain(cfg.with(p -> p.validationSize = 0)).size(), "0 holds nothing out");
        var e = assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.loadTrain(cfg.with(p -> p.validationSize = 90)));
        assertTrue(e.getMessage().contains("validation_size"), e.getMessage());
    }

    /** A fairness method needs its split, and sets the class weights itself. */
    @Test
    void settingsAFairnessMethodRefuses() {
        var e = assertThrows(TrainConfig.InvalidSettingsException.class,
                () -> TrainConfig.defaults().with(p -> p.method = "frl").validate());
        assertEquals("validation_size", e.field(), e.getMessage());
        assertEquals(1000, TrainConfig.defaults().with(p -> {
            p.method = "wat";
            p.validationSize = null;
        }).data().validationSize(), "unset: the fairness methods' default split");
        e = assertThrows(TrainConfig.InvalidSettingsException.class, () -> TrainConfig.defaults().with(p -> {
            p.method = "wat";
            p.validationSize = 100;
            p.classWeights = List.of(1f, 1f, 1f, 1f, 1f, 1f, 2f, 1f, 1f, 1f);
        }).validate());
        assertEquals("class_weights", e.field(), e.getMessage());
        e = assertThrows(TrainConfig.InvalidSettingsException.class, () -> TrainConfig.defaults().with(p -> {
            p.method = "frl";
            p.validationSize = 100;
            p.frlRate = 0f;
        }).validate());
        assertEquals("frl_rate", e.field(), e.getMessage());
        // frl moves each class's budget itself: a job's own would be replaced at its first epoch, so it is refused;
        // the attack worker's view of an frl epoch carries exactly such budgets (and no split) and is valid
        TrainConfig withBudgets = TrainConfig.defaults().with(p -> {
            p.method = "frl";
            p.validationSize = 0;
            p.classEps = List.of(0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.11f, 0.1f, 0.1f, 0.1f);
        });
        e = assertThrows(TrainConfig.InvalidSettingsException.class, withBudgets::validate);
        assertEquals(List.of("validation_size", "class_eps"),
                e.violations().stream().map(TrainConfig.Violation::field).toList(), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be set for frl"), e.getMessage());
        assertEquals(withBudgets, withBudgets.validateAttackHalf());
        e = assertThrows(TrainConfig.InvalidSettingsException.class, () -> withBudgets.with(p -> p.eps = -1f)
                .validateAttackHalf());
        assertEquals("eps", e.field(), "the worker's view still checks what the worker reads: " + e.getMessage());
    }

    private static boolean disjoint(Dataset a, Dataset b) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            seen.add(Arrays.toString(a.image(i)));
        }
        for (int i = 0; i < b.size(); i++) {
            if (seen.contains(Arrays.toString(b.image(i)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean differ(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static void assertFloats(float[] expected, List<Float> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), 1e-5f, "entry " + i + " of " + actual);
        }
    }

    /** {@code n} distinct 10×10 grey images in 3 classes (class c lights rows 4c..), as the two IDX splits. */
    private static void writeSquares(Path dir, int n) throws Exception {
        Files.createDirectories(dir);
        byte[] px = new byte[n * 100];
        byte[] labels = new byte[n];
        Random r = new Random(3);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 3);
            for (int j = 0; j < 100; j++) {
                px[i * 100 + j] = (byte) ((j / 10) / 4 == i % 3 ? 150 + r.nextInt(100) : r.nextInt(60));
            }
        }
        byte[] img = ByteBuffer.allocate(16 + px.length).putInt(0x803).putInt(n).putInt(10).putInt(10).put(px).array();
        byte[] lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n).put(labels).array();
        for (String split : new String[]{"train", "t10k"}) {
            Files.write(dir.resolve(split + "-images-idx3-ubyte"), img);
            Files.write(dir.resolve(split + "-labels-idx1-ubyte"), lab);
        }
    }
}
