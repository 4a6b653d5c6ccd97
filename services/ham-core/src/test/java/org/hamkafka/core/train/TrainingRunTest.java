package org.hamkafka.core.train;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingRunTest {
    static final DatasetInfo INFO = new DatasetInfo("synthetic", 1, 4, 4, List.of("a", "b", "c"),
            new float[]{0.5f}, new float[]{0.3f});

    /** 48 images: class c is brighter in row c (learnable), plus noise. */
    static Dataset synthetic() {
        Random r = new Random(3);
        int n = 48;
        float[] px = new float[n * 16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 16; j++) {
                px[i * 16 + j] = 0.3f * r.nextFloat() + (j / 4 == labels[i] ? 0.6f : 0f);
            }
        }
        return new Dataset(INFO, px, labels);
    }

    /** HAM on tiny-cnn for the synthetic set: 2 epochs of 3 batches, the first PGD-AT warm-up. */
    static TrainConfig smallHam() {
        return TrainConfig.defaults().with(p -> {
            p.model = "tiny-cnn";
            p.device = "cpu";
            p.method = "ham";
            p.epochs = 2;
            p.warmupEpochs = 1;
            p.batchSize = 16;
            p.eps = 0.3f;
            p.alpha = 0.1f;
        });
    }

    static List<float[]> run(TrainConfig cfg, Dataset d, List<StepDone> seen, TrainingCost[] cost) {
        TrainingRun run = new TrainingRun(cfg);
        try (Classifier f = run.newModel(d)) {
            TrainingRun.Result r = run.train(f, d, TrainingListener.onStep(seen::add));
            cost[0] = r.cost();
            return weights(f);
        }
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndCostsAreCounted() {
        TrainConfig cfg = smallHam().with(p -> p.seed = 5L);
        Dataset d = synthetic();
        List<StepDone> p1 = new ArrayList<>();
        TrainingCost[] c1 = new TrainingCost[1];
        TrainingCost[] c2 = new TrainingCost[1];
        TrainingCost[] c3 = new TrainingCost[1];
        List<float[]> a = run(cfg, d, p1, c1);
        List<float[]> b = run(cfg, d, new ArrayList<>(), c2);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0f, "parameter " + i);
        }
        assertEquals(c1[0].examplesDropped(), c2[0].examplesDropped());
        assertEquals(c1[0].attackForwardRows(), c2[0].attackForwardRows());

        // 2 epochs × 3 batches; epoch 0 is PGD-AT warm-up: 48 rows × K = 10 passes
        assertEquals(6, p1.size());
        assertEquals(96, c1[0].examplesSeen());
        assertEquals(c1[0].examplesSeen(), c1[0].examplesTrained() + c1[0].examplesDropped());
        assertTrue(c1[0].attackBackwardRows() >= 480, "warm-up alone costs 480 backward rows");
        assertTrue(c1[0].attackBackwardRows() < 960, "HAM's early drop saves backward rows in epoch 1");
        // the process's CPU time over the loop: measured on HotSpot, positive, and within what the machine's
        // processors could have spent in the loop's wall time
        assertNotNull(c1[0].cpuSeconds(), "HotSpot reports process CPU time");
        assertTrue(c1[0].cpuSeconds() > 0, "cpu " + c1[0].cpuSeconds());
        assertTrue(c1[0].cpuSeconds() <= c1[0].seconds() * Runtime.getRuntime().availableProcessors() + 0.05,
                "cpu " + c1[0].cpuSeconds() + " s in " + c1[0].seconds() + " s of wall time");
        // the wall time's split: the attack half is the batches' attack times summed (as the progress saw
        // them), the training half is positive, and both fit in the loop's wall time
        double attackMillis = p1.stream().mapToDouble(StepDone::attackMillis).sum();
        assertEquals(attackMillis / 1e3, c1[0].attackSeconds(), 1e-9);
        assertTrue(c1[0].trainSeconds() > 0, "training half " + c1[0].trainSeconds());
        assertTrue(c1[0].attackSeconds() + c1[0].trainSeconds() <= c1[0].seconds(),
                c1[0].attackSeconds() + " + " + c1[0].trainSeconds() + " s in " + c1[0].seconds() + " s");

        List<float[]> other = run(cfg.with(p -> p.seed = 6L), d, new ArrayList<>(), c3);
        boolean differs = false;
        for (int i = 0; i < a.size(); i++) {
            differs |= !java.util.Arrays.equals(a.get(i), other.get(i));
        }
        assertTrue(differs, "another seed gives other weights");
    }

    static List<float[]> weights(Classifier f) {
        List<float[]> w = new ArrayList<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            w.add(p.getValue().getArray().toFloatArray());
        }
        return w;
    }

    /** What the HAM-vs-PGD-AT bench relies on: two runs stepped in turn end as each alone, counts included. */
    @Test
    void twoRunsSteppedInTurnEndAsEachTrainedAlone() {
        TrainConfig ham = smallHam();
        TrainConfig pgd = ham.with(p -> p.method = "pgd-at");
        Dataset d = synthetic();
        TrainingCost[] hamAlone = new TrainingCost[1];
        TrainingCost[] pgdAlone = new TrainingCost[1];
        List<float[]> hamWeights = run(ham, d, new ArrayList<>(), hamAlone);
        List<float[]> pgdWeights = run(pgd, d, new ArrayList<>(), pgdAlone);

        TrainingRun hamRun = new TrainingRun(ham);
        TrainingRun pgdRun = new TrainingRun(pgd);
        try (Classifier fh = hamRun.newModel(d); Classifier fp = pgdRun.newModel(d);
             TrainingRun.Steps h = hamRun.steps(fh, d); TrainingRun.Steps g = pgdRun.steps(fp, d)) {
            int batches = 0;
            while (h.hasNext()) {
                assertTrue(g.hasNext(), "same plan length");
                h.next();
                g.next();
                batches++;
            }
            assertFalse(g.hasNext());
            assertEquals(6, batches, "2 epochs × 3 batches");
            assertThrows(java.util.NoSuchElementException.class, h::next);
            List<float[]> hw = weights(fh);
            List<float[]> pw = weights(fp);
            for (int i = 0; i < hw.size(); i++) {
                assertArrayEquals(hamWeights.get(i), hw.get(i), 0f, "HAM parameter " + i);
                assertArrayEquals(pgdWeights.get(i), pw.get(i), 0f, "PGD-AT parameter " + i);
            }
            assertEquals(hamAlone[0].attackForwardRows(), h.cost().attackForwardRows());
            assertEquals(hamAlone[0].examplesDropped(), h.cost().examplesDropped());
            assertEquals(pgdAlone[0].trainBackwardRows(), g.cost().trainBackwardRows());
        }
    }

    /**
     * A run stopped after any step and resumed from the state written there (weights, momentum, position) ends with
     * the weights, version and step count of the run that never stopped: mid-epoch, at an epoch's end, in HAM's
     * warm-up and in its early-drop epoch.
     */
    @Test
    void aRunResumedFromAnyStepsStateEndsAsTheRunThatNeverStopped() {
        TrainConfig cfg = smallHam();
        Dataset d = synthetic();
        TrainingRun run = new TrainingRun(cfg);
        java.util.Map<Long, byte[]> states = new java.util.LinkedHashMap<>();
        List<float[]> whole;
        StepDone[] last = new StepDone[1];
        try (Classifier f = run.newModel(d);
             TrainingRun.Steps steps = run.steps(f, d)) {
            // the state as the trainer-service writes it, after every step
            SgdMomentum[] opt = new SgdMomentum[1];
            while (steps.hasNext()) {
                last[0] = steps.next();
                StepDone s = last[0];
                Position next = s.lastOfEpoch() ? new Position(s.epoch() + 1, 0, s.stepsDone(), s.version(), new long[0])
                        : new Position(s.epoch(), s.batch() + 1, s.stepsDone(), s.version(), new long[0]);
                states.put(s.stepsDone(), StateArchive.write(f, steps.optimizer(), next));
            }
            whole = weights(f);
        }
        assertEquals(6, states.size());
        for (long k : new long[]{2, 3, 4}) {
            try (Classifier g = run.newModel(d)) {
                SgdMomentum optimizer = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
                Position start = StateArchive.read(states.get(k), g, optimizer);
                assertEquals(k, start.stepsDone());
                StepDone end = null;
                try (TrainingRun.Steps rest = run.steps(g, d, optimizer, run.localAttack(g), start, List.of())) {
                    while (rest.hasNext()) {
                        end = rest.next();
                    }
                }
                assertNotNull(end);
                assertEquals(last[0].stepsDone(), end.stepsDone(), "steps counted on from the state, after " + k);
                assertEquals(last[0].version(), end.version(), "model version, after " + k);
                List<float[]> resumed = weights(g);
                for (int i = 0; i < whole.size(); i++) {
                    assertArrayEquals(whole.get(i), resumed.get(i), 0f, "parameter " + i + ", resumed after step " + k);
                }
            }
        }
    }

    @Test
    void stepSeedsDifferAcrossBatchesAndEpochsAndAreStable() {
        assertEquals(Seeds.step(1, 2, 3), Seeds.step(1, 2, 3));
        assertNotEquals(Seeds.step(1, 2, 3), Seeds.step(1, 2, 4));
        assertNotEquals(Seeds.step(1, 2, 3), Seeds.step(1, 3, 3));
        assertNotEquals(Seeds.step(1, 2, 3), Seeds.step(2, 2, 3));
        assertFalse(Seeds.step(0, 0, 0) == 0);
    }
}
