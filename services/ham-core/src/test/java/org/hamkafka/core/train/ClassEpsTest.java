package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamkafka.core.train.HamTrainingTest.threshold;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-class budgets in the attack half, on the one-pixel threshold model (logits [0, 10·(x − 0.5)]): its gradient
 * has one sign per class, so PGD walks every row to the edge of its ball, and the edge is the class's eps.
 */
class ClassEpsTest {
    private static final float EPS = 0.1f;
    private static final float[] PIXELS = {0.3f, 0.4f, 0.6f, 0.7f};
    private static final long[] LABELS = {0, 0, 1, 1};

    private static float[] attack(TrainingMethod method) {
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(PIXELS).reshape(4, 1, 1, 1);
            AttackOutput out = method.attack(f, x, m.create(LABELS), new long[]{0, 1, 2, 3}, 5, 0);
            return out.adversarial().toFloatArray();
        }
    }

    @Test
    void eachRowEndsAtTheEdgeOfItsClasssBall() {
        // class 0 within 0.1, class 1 within 0.03; 10 steps of alpha·eps_c/eps reach the edge from any start
        TrainingMethod pgd = new PgdAdversarialTraining(EPS, 0.025f, 10, Norm.LINF)
                .withClassEps(ClassEps.of(List.of(0.1f, 0.03f), EPS));
        // class 0 ascends its CE by moving right, class 1 by moving left
        assertArrayEquals(new float[]{0.4f, 0.5f, 0.57f, 0.67f}, attack(pgd), 1e-6f);
        assertArrayEquals(new float[]{0.4f, 0.5f, 0.5f, 0.6f},
                attack(new PgdAdversarialTraining(EPS, 0.025f, 10, Norm.LINF)), 1e-6f, "without: all within 0.1");
    }

    /** HAM with K' = 9 of K = 10 steps: by K' every row is at the edge of its ball, so which are hard is known. */
    private static TrainingMethod hamLateDrop(float eps) {
        return new HamTraining(eps, eps / 4, 10, 9, Norm.LINF, -1f, 0f, true, false, 0);
    }

    @Test
    void budgetsEqualToEpsAttackExactlyAsNone() {
        TrainingMethod plain = new PgdAdversarialTraining(EPS, 0.025f, 3, Norm.LINF);
        assertArrayEquals(attack(plain), attack(plain.withClassEps(ClassEps.of(List.of(EPS, EPS), EPS))), 0f);
        TrainingMethod ham = hamLateDrop(EPS);
        float[] pixels = {0.3f, 0.45f, 0.6f, 0.7f}; // 0.45 + 0.1 crosses the threshold: at least one hard row
        try (Classifier f = threshold(); Classifier g = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(pixels).reshape(4, 1, 1, 1);
            NDArray y = m.create(LABELS);
            long[] ids = {0, 1, 2, 3};
            AttackOutput a = ham.attack(f, x, y, ids, 5, 0);
            AttackOutput b = ham.withClassEps(ClassEps.of(List.of(EPS, EPS), EPS)).attack(g, x, y, ids, 5, 0);
            assertTrue(a.keptIndices().length > 0);
            assertArrayEquals(a.keptIndices(), b.keptIndices());
            assertArrayEquals(a.adversarial().toFloatArray(), b.adversarial().toFloatArray(), 0f);
            assertArrayEquals(a.variation(), b.variation(), 0f);
        }
    }

    /**
     * HAM drops and attacks each row within its class's budget: class 0 (eps 0.25) from 0.45 and 0.48 crosses the
     * threshold and is hard, ending at its edge; class 1 (eps 0.05) from 0.6 and 0.7 cannot cross and is dropped.
     */
    @Test
    void hamKeepsEachHardRowInItsClasssBall() {
        TrainingMethod ham = hamLateDrop(0.25f).withClassEps(ClassEps.of(List.of(0.25f, 0.05f), 0.25f));
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.45f, 0.48f, 0.6f, 0.7f}).reshape(4, 1, 1, 1);
            AttackOutput out = ham.attack(f, x, m.create(LABELS), new long[]{0, 1, 2, 3}, 5, 0);
            assertArrayEquals(new int[]{0, 1}, out.keptIndices());
            assertArrayEquals(new float[]{0.7f, 0.73f}, out.adversarial().toFloatArray(), 1e-6f);
        }
        // without budgets class 1 crosses too (0.6 − 0.25 < 0.5): all four rows are hard
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.45f, 0.48f, 0.6f, 0.7f}).reshape(4, 1, 1, 1);
            assertArrayEquals(new int[]{0, 1, 2, 3}, hamLateDrop(0.25f).attack(f, x, m.create(LABELS),
                    new long[]{0, 1, 2, 3}, 5, 0).keptIndices());
        }
    }

    /** TRADES and Fast-AT keep each row in its class's ball too; standard training has no attack to take one. */
    @Test
    void everyMethodWithAnAttackTakesBudgetsAndTheSettingsSaySo() {
        ClassEps budgets = ClassEps.of(List.of(0.1f, 0.03f), EPS);
        for (TrainingMethod m : List.of(new TradesTraining(EPS, 0.025f, 10, 6f, Norm.LINF).withClassEps(budgets),
                new FastAdversarialTraining(EPS, 0.125f, Norm.LINF).withClassEps(budgets))) {
            float[] adv = attack(m);
            for (int i = 0; i < PIXELS.length; i++) {
                float budget = LABELS[i] == 0 ? 0.1f : 0.03f;
                assertTrue(Math.abs(adv[i] - PIXELS[i]) <= budget + 1e-6f, m.name() + " row " + i + " moved "
                        + Math.abs(adv[i] - PIXELS[i]) + " over " + budget);
            }
            assertTrue(Math.abs(adv[2] - PIXELS[2]) > 0.02f, m.name() + " still attacks class 1: " + adv[2]);
        }
        assertThrows(IllegalArgumentException.class, () -> new StandardTraining().withClassEps(budgets));
        List<TrainConfig.Violation> v = TrainConfig.defaults("fashion-mnist").with(p -> {
            p.method = "standard";
            p.classEps = java.util.Collections.nCopies(10, 0.05f);
        }).problems();
        assertEquals("class_eps", v.get(0).field(), v.toString());
        assertTrue(v.get(0).message().contains("needs an attack: standard training has none"), v.toString());
        v = TrainConfig.defaults("fashion-mnist").with(p -> p.classEps = List.of(0.1f, 0.1f)).problems();
        assertTrue(v.get(0).message().contains("fashion-mnist has 10 classes; got 2"), v.toString());
        v = TrainConfig.defaults("fashion-mnist").with(p -> p.classEps = java.util.Collections.nCopies(10, 0f)).problems();
        assertTrue(v.get(0).message().contains("class_eps (--class-eps) must be one eps in (0, 1)"), v.toString());
    }
}
