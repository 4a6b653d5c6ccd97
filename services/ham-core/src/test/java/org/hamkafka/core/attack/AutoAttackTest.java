package org.hamkafka.core.attack;

import ai.djl.Device;
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

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AutoAttack on a hand-built linear model where it is known which stage breaks which example.
 *
 * <p>Model (16 pixels, 4 classes, identity normalization), with u = the mean pixel and S = 1e4:
 * z_0 = S·u, z_1 = S·0.5, z_2 = S·0.2, z_3 = S·0.1. Class 0 wins iff u &gt; 0.5, and an L∞ ball of
 * eps = 0.1 moves u by at most 0.1. Because of S, the CE gradient is exactly 0 in float32 once the
 * margin S·(u − 0.5) exceeds ~100 (exp(−100) underflows), so APGD-CE cannot move such an example;
 * the targeted DLR loss is scale-invariant and can. Images are constant, all pixels = u:
 * <ul>
 *   <li>A, u = 0.45, y = 0: misclassified clean (class 1); never attacked.</li>
 *   <li>B, u = 0.5005: margin S·0.0005 = 5, CE gradient alive: APGD-CE pushes u below 0.5.</li>
 *   <li>C, u = 0.55: reachable (needs −0.05 of the 0.1), but CE-saturated (margin 500); a random start
 *       moves u by the mean of 16 uniform coordinates (sd 0.1/√48 ≈ 0.014), so −0.05 is a 3.5-sd
 *       event: only APGD-T breaks it (towards class 1).</li>
 *   <li>D, u = 0.7: out of reach (needs −0.2): robust after both.</li>
 * </ul>
 */
class AutoAttackTest {
    static final DatasetInfo INFO = new DatasetInfo("hand", 1, 4, 4, List.of("a", "b", "c", "d"),
            new float[]{0f}, new float[]{1f});
    static final float S = 1e4f;
    static Classifier f;

    @BeforeAll
    static void model() {
        f = Classifier.create("linear", INFO, Device.cpu(), 0);
        float[] w = new float[4 * 16];
        Arrays.fill(w, 0, 16, S / 16);
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            a.set(p.getKey().endsWith("weight") ? w : new float[]{0f, 0.5f * S, 0.2f * S, 0.1f * S});
        }
    }

    @AfterAll
    static void close() {
        f.close();
    }

    static NDArray images(NDManager m, float... u) {
        float[] px = new float[u.length * 16];
        for (int i = 0; i < u.length; i++) {
            Arrays.fill(px, i * 16, (i + 1) * 16, u[i]);
        }
        return m.create(px, new Shape(u.length, 1, 4, 4));
    }

    @Test
    void robustOnlyIfItSurvivesEveryStage() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = images(m, 0.45f, 0.5005f, 0.55f, 0.7f);
            NDArray y = m.create(new long[]{0, 0, 0, 0});
            AutoAttack aa = new AutoAttack(AutoAttack.FAST, 0.1f, Norm.LINF, 1);
            AutoAttack.Result r = aa.run(f, x, y);
            assertEquals(List.of("apgd-ce", "apgd-t"), r.stages());
            // after APGD-CE: A keeps its clean class 1, B is broken (to 1), C and D still 0
            assertArrayEquals(new long[]{1, 1, 0, 0}, r.predictedAfter()[0]);
            // after APGD-T: C broken too (to 1, the only class within reach); D survives both
            assertArrayEquals(new long[]{1, 1, 1, 0}, r.predictedAfter()[1]);
            assertArrayEquals(new double[]{0.5, 0.25}, r.robustAccuracy(y.toLongArray()), 1e-12);
            float[] adv = r.adversarial().toFloatArray();
            float[] clean = x.toFloatArray();
            // A (not attacked) and D (robust) come back as x; B and C at their breaking points
            assertArrayEquals(Arrays.copyOfRange(clean, 0, 16), Arrays.copyOfRange(adv, 0, 16), 0f);
            assertArrayEquals(Arrays.copyOfRange(clean, 48, 64), Arrays.copyOfRange(adv, 48, 64), 0f);
            assertArrayEquals(new long[]{1, 1, 1, 0}, f.logits(r.adversarial(), false).argMax(1).toLongArray());
            for (int i = 0; i < adv.length; i++) {
                assertTrue(Math.abs(adv[i] - clean[i]) <= 0.1f + 1e-6f && adv[i] >= 0f && adv[i] <= 1f, "pixel " + i);
            }
            // A was never attacked: the passes cover at most B, C, D (3 rows) beyond the clean forward of 4
            AutoAttack.Preset p = AutoAttack.FAST;
            assertTrue(r.forwardRows() <= 4 + 3L * (p.ceIterations() + 4 + p.targets() * (p.targetedIterations() + 1L)),
                    "forward rows " + r.forwardRows());
            assertEquals(r.adversarial().getManager(), m);
        }
    }

    @Test
    void eachStageAloneMissesAnExampleTheOtherBreaks() {
        // the sequence matters: CE alone leaves C, and B then shows that CE breaks what it can reach
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = images(m, 0.5005f, 0.55f);
            NDArray y = m.create(new long[]{0, 0});
            NDArray ce = new Apgd(0.1f, Norm.LINF, 20, 1, Apgd.Loss.CE, 0, 1).perturb(f, x, y);
            assertArrayEquals(new long[]{1, 0}, f.logits(ce, false).argMax(1).toLongArray());
            NDArray t = new Apgd(0.1f, Norm.LINF, 20, 1, Apgd.Loss.DLR_TARGETED, 3, 1).perturb(f, x, y);
            assertArrayEquals(new long[]{1, 1}, f.logits(t, false).argMax(1).toLongArray());
        }
    }

    @Test
    void presetsByNameAndNames() {
        assertSame(AutoAttack.STANDARD, AutoAttack.preset("standard"));
        assertSame(AutoAttack.STANDARD, AutoAttack.preset("autoattack-standard"));
        assertSame(AutoAttack.FAST, AutoAttack.preset(" FAST "));
        assertEquals(new AutoAttack.Preset("standard", 100, 1, 9, 100, 1, 9, 100, 5000), AutoAttack.STANDARD);
        assertEquals(new AutoAttack.Preset("apgd", 100, 1, 9, 100, 1), AutoAttack.APGD);
        assertSame(AutoAttack.APGD, AutoAttack.preset("autoattack-apgd"));
        assertEquals(new AutoAttack.Preset("fast", 20, 1, 3, 20, 1), AutoAttack.FAST);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AutoAttack.preset("plus"));
        assertTrue(e.getMessage().contains("'plus'") && e.getMessage().contains("standard, apgd, fast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AutoAttack.Preset("x", 0, 1, 1, 1, 1));
        assertTrue(e.getMessage().contains("ceIterations"), e.getMessage());
        AutoAttack aa = new AutoAttack(AutoAttack.STANDARD, 8 / 255f, Norm.LINF, 0);
        assertEquals("autoattack-standard", aa.name());
        assertSame(AutoAttack.STANDARD, aa.preset());
        assertEquals(List.of("apgd-ce", "apgd-t", "fab-t", "square"), aa.stages(), "the standard version's order");
        assertEquals(List.of("apgd-ce", "apgd-t"), new AutoAttack(AutoAttack.APGD, 0.1f, Norm.LINF, 0).stages());
        AutoAttack l2 = new AutoAttack(AutoAttack.FAST, 0.5f, Norm.L2, 0);
        assertEquals("autoattack-fast-l2", l2.name());
        assertEquals(List.of("apgd-ce-l2", "apgd-t-l2"), l2.stages());
    }

    /**
     * The standard version's gradient-free stage is what its APGD part lacks: on a model whose input is quantized
     * (no gradient anywhere) the APGD part leaves most examples robust, the four attacks break most — Square after
     * the gradient stages, on what they left.
     */
    @Test
    void theFourAttacksBreakAGradientMaskedModelThatTheApgdPartDoesNot() {
        AutoAttack.Preset four = new AutoAttack.Preset("test", 10, 1, 3, 10, 1, 3, 10, 300);
        AutoAttack.Preset apgdPart = new AutoAttack.Preset("test-apgd", 10, 1, 3, 10, 1);
        int n = 8;
        DatasetInfo info = Tiny.info(1, 8, 4);
        int brokenByApgd = 0;
        int brokenByFour = 0;
        int brokenBySquareStage = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SquareTest.gridImages(m, n, 5);
            float[] sums = x.reshape(n, -1).sum(new int[]{1}).toFloatArray();
            for (int i = 0; i < n; i++) {
                try (Classifier f = SquareTest.quantizedSum(info, sums[i] + 3.15f)) {
                    NDArray xi = x.get(i + ":" + (i + 1));
                    NDArray yi = m.create(new long[]{0});
                    AutoAttack.Result a = new AutoAttack(apgdPart, 0.1f, Norm.LINF, 3).run(f, xi, yi);
                    AutoAttack.Result b = new AutoAttack(four, 0.1f, Norm.LINF, 3).run(f, xi, yi);
                    assertEquals(List.of("apgd-ce", "apgd-t", "fab-t", "square"), b.stages());
                    double[] after = b.robustAccuracy(new long[]{0});
                    for (int s = 1; s < after.length; s++) {
                        assertTrue(after[s] <= after[s - 1], "robust only if it survives every stage: "
                                + java.util.Arrays.toString(after));
                    }
                    brokenByApgd += a.robustAccuracy(new long[]{0})[1] == 0 ? 1 : 0;
                    brokenByFour += after[3] == 0 ? 1 : 0;
                    brokenBySquareStage += after[2] == 1 && after[3] == 0 ? 1 : 0;
                }
            }
        }
        assertTrue(brokenByApgd <= n / 4, "the APGD part broke " + brokenByApgd + " of " + n);
        assertTrue(brokenByFour >= 3 * n / 4, "the four attacks broke " + brokenByFour + " of " + n);
        assertTrue(brokenBySquareStage >= n / 2, "Square, after the gradient stages, broke " + brokenBySquareStage);
    }

    @Test
    void l2RunStaysInTheBall() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = images(m, 0.45f, 0.5005f, 0.55f, 0.7f);
            NDArray y = m.create(new long[]{0, 0, 0, 0});
            // L2 eps 0.4 moves u by at most 0.4/√16 = 0.1: the same reach as L∞ 0.1
            AutoAttack.Result r = new AutoAttack(AutoAttack.FAST, 0.4f, Norm.L2, 1).run(f, x, y);
            float[] d = r.adversarial().sub(x).toFloatArray();
            for (int i = 0; i < 4; i++) {
                double l2 = 0;
                for (int j = 0; j < 16; j++) {
                    l2 += (double) d[i * 16 + j] * d[i * 16 + j];
                }
                assertTrue(Math.sqrt(l2) <= 0.4 + 1e-6, "example " + i + ": " + Math.sqrt(l2));
            }
            assertEquals(0, r.predictedAfter()[1][3], "D is out of reach in L2 too");
            assertEquals(1, r.predictedAfter()[1][2], "C is broken in L2 too");
        }
    }
}
