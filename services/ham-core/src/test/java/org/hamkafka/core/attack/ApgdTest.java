package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** APGD's losses and checkpoints on hand-worked values, and the invariants every attack keeps. */
class ApgdTest {
    static final DatasetInfo INFO = Tiny.info(1, 4, 5);
    static final Shape IMAGE = new Shape(1, 4, 4);
    static final int N = 12;
    static Classifier f;

    @BeforeAll
    static void model() {
        f = Tiny.linear(INFO, 31);
    }

    @AfterAll
    static void close() {
        f.close();
    }

    @Test
    void dlrOnHandWorkedLogits() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray z = m.create(new float[]{
                    3, 1, 0.5f, -1,   // y = 0 on top: −(3 − 1)/(π1 − π3 = 3 − 0.5) = −2/2.5 = −0.8
                    1, 4, 2, 0,       // y = 0, best other 4: −(1 − 4)/(4 − 1) = 1
                    0, 2, 5, 1},      // y = 1, best other 5, sorted 5,2,1,0: −(2 − 5)/(5 − 1) = 0.75
                    new Shape(3, 4));
            NDArray y = m.create(new long[]{0, 0, 1});
            assertArrayEquals(new float[]{-0.8f, 1f, 0.75f}, ApgdLosses.dlr(z, y).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void targetedDlrOnHandWorkedLogits() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray z = m.create(new float[]{
                    3, 1, 0.5f, -1,   // y 0, t 1: −(3 − 1)/(3 − (0.5 + (−1))/2) = −2/3.25 = −0.6153846
                    1, 4, 2, 0},      // y 0, t 2: sorted 4,2,1,0: −(1 − 2)/(4 − (1 + 0)/2) = 1/3.5 = 0.2857143
                    new Shape(2, 4));
            NDArray y = m.create(new long[]{0, 0});
            NDArray t = m.create(new long[]{1, 2});
            assertArrayEquals(new float[]{-2f / 3.25f, 1f / 3.5f}, ApgdLosses.dlrTargeted(z, y, t).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void dlrIsInvariantToShiftingAndPositiveScaling() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray z = Tiny.uniformImages(m, 20, new Shape(6), 3).mul(10f).sub(5f).reshape(20, 6);
            NDArray y = m.create(new long[]{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1});
            NDArray t = y.add(1).mod(6);
            float[] dlr = ApgdLosses.dlr(z, y).toFloatArray();
            float[] dlrT = ApgdLosses.dlrTargeted(z, y, t).toFloatArray();
            for (float[] ab : new float[][]{{1f, 7f}, {7.5f, -3f}, {0.01f, 0.5f}, {1e4f, 0f}}) {
                NDArray moved = z.mul(ab[0]).add(ab[1]);
                assertArrayEquals(dlr, ApgdLosses.dlr(moved, y).toFloatArray(), 1e-4f, "a=" + ab[0] + " b=" + ab[1]);
                assertArrayEquals(dlrT, ApgdLosses.dlrTargeted(moved, y, t).toFloatArray(), 1e-4f, "a=" + ab[0]);
            }
            // and it is not trivially constant
            assertTrue(Tiny.maxAbs(dlr) > 0.1f);
        }
    }

    @Test
    void checkpointsFollowThePaperRule() {
        // N = 100: w1 = ⌊22⌋ = 22, intervals shrink by ⌊3⌋ = 3 down to ⌊6⌋ = 6:
        // 22, +19 = 41, +16 = 57, +13 = 70, +10 = 80, +7 = 87, +6 = 93, +6 = 99 (105 > 100)
        assertArrayEquals(new int[]{0, 22, 41, 57, 70, 80, 87, 93, 99}, Apgd.checkpoints(100));
        // N = 10: w1 = max(⌊2.2⌋, 1) = 2, decrease max(⌊0.3⌋, 1) = 1, minimum max(⌊0.6⌋, 1) = 1:
        // 2, then intervals of 1: 3, 4, ..., 10 (the check after the last step changes nothing)
        assertArrayEquals(new int[]{0, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Apgd.checkpoints(10));
        // N = 50: w1 = 11, decrease 1, minimum 3: 11, +10 = 21, +9 = 30, +8 = 38, +7 = 45 (51 > 50)
        assertArrayEquals(new int[]{0, 11, 21, 30, 38, 45}, Apgd.checkpoints(50));
        // N = 20 (the FAST preset): w1 = 4, decrease 1, minimum 1: 4, 7, 9, 10, 11, ..., 20
        assertArrayEquals(new int[]{0, 4, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, Apgd.checkpoints(20));
        assertArrayEquals(new int[]{0, 1}, Apgd.checkpoints(1));
        assertThrows(IllegalArgumentException.class, () -> Apgd.checkpoints(0));
    }

    static float epsFor(Norm norm) {
        return norm == Norm.LINF ? 0.1f : 0.5f;
    }

    static List<Apgd> attacks(Norm norm, long seed) {
        float eps = epsFor(norm);
        return List.of(new Apgd(eps, norm, 10, 2, Apgd.Loss.CE, 0, seed),
                new Apgd(eps, norm, 10, 1, Apgd.Loss.DLR, 0, seed),
                new Apgd(eps, norm, 10, 1, Apgd.Loss.DLR_TARGETED, 3, seed));
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void staysInTheBallAndTheBoxAndLeavesParameterGradientsAlone(Norm norm) {
        float eps = epsFor(norm);
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 41);
            NDArray y = Tiny.predictions(f, x);
            Tiny.backwardOnce(f, x);
            List<float[]> before = Tiny.gradients(f);
            for (Apgd a : attacks(norm, 5)) {
                NDArray adv = a.perturb(f, x, y);
                assertEquals(x.getShape(), adv.getShape(), a.name());
                assertTrue(adv.getManager() == m, a.name() + ": result belongs to x's manager");
                assertFalse(adv.hasGradient(), a.name() + ": result has no gradient history");
                float[] d = adv.sub(x).toFloatArray();
                int per = (int) IMAGE.size();
                float moved = 0;
                for (int i = 0; i < N; i++) {
                    double l2 = 0;
                    float linf = 0;
                    for (int j = 0; j < per; j++) {
                        float e = d[i * per + j];
                        l2 += (double) e * e;
                        linf = Math.max(linf, Math.abs(e));
                    }
                    double size = norm == Norm.LINF ? linf : Math.sqrt(l2);
                    assertTrue(size <= eps + 1e-6, a.name() + " example " + i + ": ||delta|| = " + size);
                    moved = (float) Math.max(moved, size);
                }
                for (float p : adv.toFloatArray()) {
                    assertTrue(p >= 0f && p <= 1f, a.name() + ": pixel " + p + " outside [0,1]");
                }
                assertTrue(moved > eps / 2, a.name() + " moved only " + moved);
                List<float[]> after = Tiny.gradients(f);
                for (int i = 0; i < before.size(); i++) {
                    assertArrayEquals(before.get(i), after.get(i), 0f, a.name() + " changed a parameter gradient");
                }
                for (Pair<String, Parameter> p : f.block().getParameters()) {
                    assertTrue(p.getValue().getArray().hasGradient(), a.name() + " left " + p.getKey() + " untracked");
                }
                assertTrue(a.forwardRows() > 0 && a.backwardRows() > 0, a.name() + " counted its passes");
            }
        }
    }

    @Test
    void passesOfOneRunOnExamplesItCannotBreak() {
        // eps = 0: nothing moves, nothing breaks, so every run spends exactly its budget:
        // forward (N+1)·n (x_0, x_1..x_{N-1} with gradient, x_N without), backward N·n
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 42);
            NDArray y = Tiny.predictions(f, x);
            Apgd ce = new Apgd(0f, Norm.LINF, 10, 2, Apgd.Loss.CE, 0, 1);
            NDArray adv = ce.perturb(f, x, y);
            assertArrayEquals(x.toFloatArray(), adv.toFloatArray(), 0f);
            assertEquals(2L * 11 * N, ce.forwardRows());
            assertEquals(2L * 10 * N, ce.backwardRows());
            // targeted: one clean forward for the targets, then 3 targets × 1 restart
            Apgd t = new Apgd(0f, Norm.LINF, 10, 1, Apgd.Loss.DLR_TARGETED, 3, 1);
            t.perturb(f, x, y);
            assertEquals(N + 3L * 11 * N, t.forwardRows());
            assertEquals(3L * 10 * N, t.backwardRows());
        }
    }

    @Test
    void targetsInOneBatchBreakExactlyTheExamplesTheirRunsOneAfterAnotherBreak() {
        // the reference's order: target 1's run on every example, target 2's on those it left unbroken, ...; each run
        // from the same given start. Apgd runs the 4 targets in one batch: it must break exactly the same examples.
        // A hand-set linear model where the usual first target is out of reach: class 1's logit (−0.5 + 0.01·Σx) is
        // the second largest but barely moves, class 2's (Σx − 11) is lower and rises by 16·eps, so target 2 breaks
        // what target 1 cannot (Σx > 11 − 16·eps) and target 1 only the examples where class 2 ranks second
        float[] w = new float[5 * 16];
        java.util.Arrays.fill(w, 16, 32, 0.01f);
        java.util.Arrays.fill(w, 32, 48, 1f);
        try (Classifier g = Tiny.linear(INFO, 31)) {
            Tiny.setLinear(g, w, new float[]{0, -0.5f, -11, -20, -20});
            for (float eps : new float[]{0.06f, 0.12f}) {
                for (int iterations : new int[]{2, 20}) {
                    assertTrue(inTurnAgainstTogether(g, eps, iterations), "eps " + eps + ", " + iterations
                            + " iterations: a later target broke what the first did not");
                }
            }
        }
    }

    /** Asserts both orders break the same examples; true when targets after the first broke some. */
    private static boolean inTurnAgainstTogether(Classifier f, float eps, int iterations) {
        int n = 40;
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, n, IMAGE, 45);
            NDArray y = Tiny.predictions(f, x);
            NDArray start = RandomStart.uniform(m, 98, RandomStart.consecutive(0, n), IMAGE, eps);
            Apgd batched = new Apgd(eps, Norm.LINF, iterations, 1, Apgd.Loss.DLR_TARGETED, 4, 7);
            NDArray adv = batched.perturb(f, x, y, start);
            long[] labels = y.toLongArray();
            long[] after = Tiny.predictions(f, adv).toLongArray();
            boolean[] brokenTogether = new boolean[n];
            for (int i = 0; i < n; i++) {
                brokenTogether[i] = after[i] != labels[i];
            }

            boolean[] brokenInTurn = new boolean[n];
            boolean later = false;
            ApgdRun.Settings settings = new ApgdRun.Settings(eps, Norm.LINF, iterations, Apgd.checkpoints(iterations),
                    Apgd.Loss.DLR_TARGETED);
            try (FrozenModel frozen = new FrozenModel(f, x)) {
                NDArray ranked = f.logits(x, false).argSort(1, false);
                for (int target = 0; target < 4; target++) {
                    int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> !brokenInTurn[i]).toArray();
                    if (rows.length == 0) {
                        break;
                    }
                    NDArray idx = m.create(java.util.Arrays.stream(rows).asLongStream().toArray());
                    NDArray xr = x.get(idx);
                    NDArray x0 = AttackMath.project(xr.add(start.get(idx)), xr, eps, Norm.LINF);
                    ApgdRun.Outcome o = new ApgdRun(f, settings).run(xr, y.get(idx), ranked.get(":, " + (target + 1))
                            .get(idx), x0);
                    for (int e = 0; e < rows.length; e++) {
                        brokenInTurn[rows[e]] |= o.broken()[e];
                        later |= target > 0 && o.broken()[e];
                    }
                }
            }
            assertArrayEquals(brokenInTurn, brokenTogether, "eps " + eps + ", " + iterations + " iterations");
            return later;
        }
    }

    @Test
    void brokenExamplesLeaveTheBatch() {
        // labels that f already gets wrong: every example breaks at x_0, so one forward+backward each
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 43);
            NDArray y = Tiny.predictions(f, x).add(1).mod(5);
            Apgd ce = new Apgd(0f, Norm.LINF, 10, 3, Apgd.Loss.CE, 0, 1);
            ce.perturb(f, x, y);
            assertEquals(N, ce.forwardRows());
            assertEquals(N, ce.backwardRows());
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedSamePointsAndAGivenStartIsUsed(Norm norm) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 44);
            NDArray y = Tiny.predictions(f, x);
            for (int i = 0; i < 3; i++) {
                Apgd a = attacks(norm, 9).get(i);
                Apgd b = attacks(norm, 9).get(i);
                float[] first = a.perturb(f, x, y).toFloatArray();
                assertArrayEquals(first, b.perturb(f, x, y).toFloatArray(), 0f, a.name() + ": same seed");
                assertFalse(java.util.Arrays.equals(first, a.perturb(f, x, y).toFloatArray()),
                        a.name() + ": a second call draws new starts");
                Apgd other = attacks(norm, 10).get(i);
                assertFalse(java.util.Arrays.equals(first, other.perturb(f, x, y).toFloatArray()),
                        a.name() + ": another seed, other starts");
            }
            // one iteration from a given start of 0 with eps 0 stays at x; from the same start twice, same points
            NDArray start = RandomStart.uniform(m, 99, RandomStart.consecutive(0, N), IMAGE, epsFor(norm) / 2);
            Apgd a = new Apgd(epsFor(norm), norm, 5, 1, Apgd.Loss.CE, 0, 1);
            assertArrayEquals(a.perturb(f, x, y, start).toFloatArray(), a.perturb(f, x, y, start).toFloatArray(), 0f);
        }
    }

    @Test
    void namesAndValidation() {
        assertEquals("apgd-ce", new Apgd(0.03f, Norm.LINF, 100, 1, Apgd.Loss.CE, 0, 0).name());
        assertEquals("apgd-dlr", new Apgd(0.03f, Norm.LINF, 100, 1, Apgd.Loss.DLR, 0, 0).name());
        assertEquals("apgd-t", new Apgd(0.03f, Norm.LINF, 100, 1, Apgd.Loss.DLR_TARGETED, 9, 0).name());
        assertEquals("apgd-t-l2", new Apgd(0.5f, Norm.L2, 100, 1, Apgd.Loss.DLR_TARGETED, 9, 0).name());
        assertEquals("apgd-ce-l2", new Apgd(0.5f, Norm.L2, 100, 1, Apgd.Loss.CE, 0, 0).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Apgd(0.03f, Norm.LINF, 0, 1, Apgd.Loss.CE, 0, 0));
        assertTrue(e.getMessage().contains("iterations"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Apgd(0.03f, Norm.LINF, 10, 0, Apgd.Loss.CE, 0, 0));
        assertTrue(e.getMessage().contains("restarts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Apgd(0.03f, Norm.LINF, 10, 1, Apgd.Loss.DLR_TARGETED, 0, 0));
        assertTrue(e.getMessage().contains("targets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Apgd(-1f, Norm.LINF, 10, 1, Apgd.Loss.CE, 0, 0));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        // targeted DLR reads π1..π4: a 3-class model is refused with a message that says why
        try (Classifier three = Tiny.linear(Tiny.info(1, 4, 3), 1); NDManager m = three.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, 2, IMAGE, 1);
            NDArray y = Tiny.predictions(three, x);
            e = assertThrows(IllegalArgumentException.class,
                    () -> new Apgd(0.1f, Norm.LINF, 5, 1, Apgd.Loss.DLR_TARGETED, 2, 0).perturb(three, x, y));
            assertTrue(e.getMessage().contains("at least 4 classes"), e.getMessage());
            // untargeted DLR needs 3: fine here
            new Apgd(0.1f, Norm.LINF, 5, 1, Apgd.Loss.DLR, 0, 0).perturb(three, x, y);
        }
    }
}
