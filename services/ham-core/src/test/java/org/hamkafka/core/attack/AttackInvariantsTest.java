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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties every attack must have, checked on a random linear model for both norms. */
class AttackInvariantsTest {
    static final DatasetInfo INFO = Tiny.info(1, 4, 3);
    static final Shape IMAGE = new Shape(1, 4, 4);
    static final int N = 12;
    static Classifier f;

    @BeforeAll
    static void model() {
        f = Tiny.linear(INFO, 3);
    }

    @AfterAll
    static void close() {
        f.close();
    }

    static float epsFor(Norm norm) {
        return norm == Norm.LINF ? 0.1f : 0.5f;
    }

    static List<Attack> attacks(Norm norm, long seed) {
        float eps = epsFor(norm);
        float alpha = eps / 4;
        return List.of(
                new Fgsm(eps, 1.25f * eps, norm, seed),
                new Pgd(eps, alpha, 7, norm, true, seed),
                new Pgd(eps, alpha, 7, norm, false, seed),
                new CwPgd(eps, alpha, 7, norm, true, seed),
                new TradesAttack(eps, alpha, 7, norm, seed));
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void everyAttackStaysInTheBallAndTheBox(Norm norm) {
        float eps = epsFor(norm);
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 11);
            NDArray y = Tiny.predictions(f, x);
            for (Attack a : attacks(norm, 5)) {
                NDArray adv = a.perturb(f, x, y);
                assertEquals(x.getShape(), adv.getShape(), a.name());
                assertTrue(adv.getManager() == m, a.name() + ": result belongs to x's manager");
                assertFalse(adv.hasGradient(), a.name() + ": result has no gradient history");
                float[] d = adv.sub(x).toFloatArray();
                float[] v = adv.toFloatArray();
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
                for (float p : v) {
                    assertTrue(p >= 0f && p <= 1f, a.name() + ": pixel " + p + " outside [0,1]");
                }
                // the attack did something, so the bounds above are not met trivially
                assertTrue(moved > eps / 4, a.name() + " moved only " + moved);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void parameterGradientsAreUntouchedAndTrackingIsRestored(Norm norm) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 12);
            NDArray y = Tiny.predictions(f, x);
            Tiny.backwardOnce(f, x);
            List<float[]> before = Tiny.gradients(f);
            assertTrue(Tiny.maxAbs(before.get(0)) > 0, "the known gradient is non-zero");
            float eps = epsFor(norm);
            for (Attack a : attacks(norm, 6)) {
                a.perturb(f, x, y);
                assertGradientsEqual(before, a.name());
            }
            EarlyDropPgd ham = new EarlyDropPgd(eps, eps / 4, 5, 2, norm, false);
            ham.attack(f, x, y, null);
            assertGradientsEqual(before, "early-drop");
        }
    }

    private static void assertGradientsEqual(List<float[]> before, String who) {
        List<float[]> after = Tiny.gradients(f);
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i), 0f, who + " changed a parameter gradient");
        }
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            assertTrue(p.getValue().getArray().hasGradient(), who + " left " + p.getKey() + " without gradient tracking");
        }
    }

    @Test
    void parametersThatWereOffStayOff() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, 4, IMAGE, 13);
            NDArray y = Tiny.predictions(f, x);
            f.requireParameterGradients(false);
            try {
                new Pgd(0.1f, 0.02f, 2, Norm.LINF, true, 1).perturb(f, x, y);
                for (Pair<String, Parameter> p : f.block().getParameters()) {
                    assertFalse(p.getValue().getArray().hasGradient(), p.getKey());
                }
            } finally {
                f.requireParameterGradients(true);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void aGivenStartMakesEveryAttackDeterministic(Norm norm) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 14);
            NDArray y = Tiny.predictions(f, x);
            NDArray start = RandomStart.uniform(m, 99, RandomStart.consecutive(0, N), IMAGE, epsFor(norm) / 2);
            for (Attack a : attacks(norm, 7)) {
                float[] first = a.perturb(f, x, y, start).toFloatArray();
                float[] second = a.perturb(f, x, y, start).toFloatArray();
                assertArrayEquals(first, second, 0f, a.name());
            }
        }
    }

    @Test
    void ownRandomStartsDifferPerCallButRepeatPerSeed() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 15);
            NDArray y = Tiny.predictions(f, x);
            for (Norm norm : Norm.values()) {
                Attack a = new Pgd(epsFor(norm), epsFor(norm) / 4, 2, norm, true, 42);
                Attack b = new Pgd(epsFor(norm), epsFor(norm) / 4, 2, norm, true, 42);
                float[] a1 = a.perturb(f, x, y).toFloatArray();
                float[] a2 = a.perturb(f, x, y).toFloatArray();
                float[] b1 = b.perturb(f, x, y).toFloatArray();
                assertArrayEquals(a1, b1, 0f, "same seed, first call");
                assertFalse(java.util.Arrays.equals(a1, a2), "second call draws a new start");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void cwAttackLowersTheMargin(Norm norm) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 16);
            NDArray y = Tiny.predictions(f, x);
            float eps = epsFor(norm);
            NDArray adv = new CwPgd(eps, eps / 4, 10, norm, false, 1).perturb(f, x, y);
            float[] before = margin(f.logits(x, false), y);
            float[] after = margin(f.logits(adv, false), y);
            for (int i = 0; i < N; i++) {
                assertTrue(after[i] < before[i] - 1e-4, "example " + i + ": margin " + before[i] + " -> " + after[i]);
            }
        }
    }

    /** z_y - max_{j != y} z_j per example. */
    static float[] margin(NDArray logits, NDArray y) {
        float[] z = logits.toFloatArray();
        long[] labels = y.toLongArray();
        int c = (int) logits.getShape().get(1);
        float[] out = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                if (j != labels[i]) {
                    best = Math.max(best, z[i * c + j]);
                }
            }
            out[i] = z[i * c + (int) labels[i]] - best;
        }
        return out;
    }

    @Test
    void namesAndSettingsValidation() {
        assertEquals("pgd-20", new Pgd(0.03f, 0.007f, 20, Norm.LINF, true, 0).name());
        assertEquals("cw-20", new CwPgd(0.03f, 0.007f, 20, Norm.LINF, true, 0).name());
        assertEquals("pgd-10-l2", new Pgd(0.5f, 0.1f, 10, Norm.L2, true, 0).name());
        assertEquals("fgsm", new Fgsm(0.03f, 0.04f, Norm.LINF, 0).name());
        assertEquals("trades-10", new TradesAttack(0.03f, 0.007f, 10, Norm.LINF, 0).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Pgd(-0.1f, 0.01f, 10, Norm.LINF, true, 0));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Pgd(0.1f, 0f, 10, Norm.LINF, true, 0));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CwPgd(0.1f, 0.01f, 0, Norm.LINF, true, 0));
        assertTrue(e.getMessage().contains("steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Fgsm(0.1f, 0.01f, null, 0));
        assertTrue(e.getMessage().contains("norm"), e.getMessage());
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, 3, IMAGE, 1);
            NDArray y = m.create(new long[]{0, 1});
            e = assertThrows(IllegalArgumentException.class,
                    () -> new Pgd(0.1f, 0.01f, 1, Norm.LINF, true, 0).perturb(f, x, y));
            assertTrue(e.getMessage().contains("y must have shape"), e.getMessage());
        }
    }

    @Test
    void l2BallStartStaysInTheBall() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray s = RandomStart.l2Ball(m, 3, RandomStart.consecutive(0, 50), IMAGE, 0.5f);
            float[] norms = AttackMath.l2Norms(s).toFloatArray();
            float max = 0;
            for (float v : norms) {
                assertTrue(v <= 0.5f + 1e-6f, "norm " + v);
                max = Math.max(max, v);
            }
            // uniform in a 16-dimensional ball: almost all the mass is near the surface
            assertTrue(max > 0.45f, "max norm " + max);
            NDArray again = RandomStart.l2Ball(m, 3, RandomStart.consecutive(0, 50), IMAGE, 0.5f);
            assertArrayEquals(s.toFloatArray(), again.toFloatArray(), 0f);
            assertNotEquals(0f, Tiny.maxAbs(s.toFloatArray()));
        }
    }

    @Test
    void earlyDropNoHardExampleGivesEmptyResult() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 17);
            NDArray y = Tiny.predictions(f, x);
            // eps = 0: nothing moves, so every correctly classified example stays correct
            EarlyDropResult r = new EarlyDropPgd(0f, 0.01f, 5, 2, Norm.LINF, false).attack(f, x, y, null);
            assertNull(r.hardAdversarial());
            assertEquals(0, r.hardCount());
            assertEquals(0, r.variation().length);
            assertEquals(new AttackStats(N, 0, N + N * 2L + N, N * 2L, 0).forwardRows(), r.stats().forwardRows());
            assertEquals(N * 2L, r.stats().backwardRows());
            assertEquals(N, r.stats().examplesIn());
            assertEquals(0, r.stats().examplesKept());
        }
    }
}
