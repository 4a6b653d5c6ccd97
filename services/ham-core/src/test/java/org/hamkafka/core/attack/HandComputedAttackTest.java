package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Attacks on a two-class linear model z = W·x with known W, where the input gradient of the loss has
 * a known direction: for CE, ∇x = p_other·(W_other - W_y) (mean over the batch only scales it); for
 * the CW margin, ∇x = W_other - W_y. So every step moves along d = W_other - W_y.
 */
class HandComputedAttackTest {
    // W_0 = [1, -1, 0, 0.25], W_1 = [-1, 1, 0, -0.25]: W_1 - W_0 = [-2, 2, 0, -0.5]; feature 2 has
    // weight 0 in both rows, so its gradient is exactly 0 and it never moves
    static final float[] W = {1, -1, 0, 0.25f, -1, 1, 0, -0.25f};
    static final Shape IMAGE = new Shape(1, 2, 2);
    static Classifier f;

    @BeforeAll
    static void model() {
        f = Tiny.linear(Tiny.info(1, 2, 2), 1);
        Tiny.setLinear(f, W, new float[]{0, 0});
    }

    @AfterAll
    static void close() {
        f.close();
    }

    /**
     * Example A, y = 0, moves along sign(W_1 - W_0) = [-1, +1, 0, -1]; example B, y = 1, along
     * [+1, -1, 0, +1]. eps = 0.1, alpha = 0.04:
     * A = [0.5, 0.97, 0.3, 0.05]: 2 steps -> [0.42, 1 ([0,1] clip), 0.3, 0 ([0,1] clip)];
     *                             3 steps -> [0.40 (box clip at x - eps), 1, 0.3, 0].
     * B = [0.2, 0.5, 0.7, 0.93]:  2 steps -> [0.28, 0.42, 0.7, 1];  3 steps -> [0.30, 0.40, 0.7, 1]
     * (0.2 + 3·0.04 = 0.32 is clipped to x + eps = 0.30).
     */
    @Test
    void linfPgdAndCwMatchTheHandComputedSteps() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.5f, 0.97f, 0.3f, 0.05f, 0.2f, 0.5f, 0.7f, 0.93f}, new Shape(2, 1, 2, 2));
            NDArray y = m.create(new long[]{0, 1});
            float[] two = {0.42f, 1f, 0.3f, 0f, 0.28f, 0.42f, 0.7f, 1f};
            float[] three = {0.40f, 1f, 0.3f, 0f, 0.30f, 0.40f, 0.7f, 1f};
            assertArrayEquals(two, new Pgd(0.1f, 0.04f, 2, Norm.LINF, false, 0).perturb(f, x, y).toFloatArray(), 1e-6f);
            assertArrayEquals(three, new Pgd(0.1f, 0.04f, 3, Norm.LINF, false, 0).perturb(f, x, y).toFloatArray(), 1e-6f);
            assertArrayEquals(three, new CwPgd(0.1f, 0.04f, 3, Norm.LINF, false, 0).perturb(f, x, y).toFloatArray(), 1e-6f);
            // FGSM from a zero start: one step of 0.125 is clipped to the box (or [0,1]) everywhere it moves
            NDArray zero = m.zeros(x.getShape());
            assertArrayEquals(three, new Fgsm(0.1f, 0.125f, Norm.LINF, 0).perturb(f, x, y, zero).toFloatArray(), 1e-6f);
        }
    }

    /**
     * A given start is added and projected first: start +0.05 on every pixel of A, then 2 steps.
     * A: [0.55, 1, 0.35, 0.10] -> [0.47, 1, 0.35, 0.02].
     */
    @Test
    void linfPgdFromAGivenStart() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.5f, 0.97f, 0.3f, 0.05f}, new Shape(1, 1, 2, 2));
            NDArray y = m.create(new long[]{0});
            NDArray start = m.full(x.getShape(), 0.05f);
            float[] expected = {0.47f, 1f, 0.35f, 0.02f};
            assertArrayEquals(expected,
                    new Pgd(0.1f, 0.04f, 2, Norm.LINF, true, 0).perturb(f, x, y, start).toFloatArray(), 1e-6f);
        }
    }

    /**
     * L2: u = d/||d|| with d = [-2, 2, 0, -0.5], ||d|| = sqrt(8.25). From x = 0.5 everywhere, eps = 0.5,
     * alpha = 0.3: one step -> x + 0.3·u; two steps -> x + 0.6·u, projected back to x + 0.5·u.
     * Example B (y = 1) moves along -u.
     */
    @Test
    void l2PgdMatchesTheHandComputedSteps() {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = m.full(new Shape(2, 1, 2, 2), 0.5f);
            NDArray y = m.create(new long[]{0, 1});
            double len = Math.sqrt(8.25);
            double[] u = {-2 / len, 2 / len, 0, -0.5 / len};
            float[] one = new float[8];
            float[] two = new float[8];
            for (int j = 0; j < 4; j++) {
                one[j] = (float) (0.5 + 0.3 * u[j]);
                one[4 + j] = (float) (0.5 - 0.3 * u[j]);
                two[j] = (float) (0.5 + 0.5 * u[j]);
                two[4 + j] = (float) (0.5 - 0.5 * u[j]);
            }
            assertArrayEquals(one, new Pgd(0.5f, 0.3f, 1, Norm.L2, false, 0).perturb(f, x, y).toFloatArray(), 1e-6f);
            assertArrayEquals(two, new Pgd(0.5f, 0.3f, 2, Norm.L2, false, 0).perturb(f, x, y).toFloatArray(), 1e-6f);
            assertArrayEquals(two, new CwPgd(0.5f, 0.3f, 2, Norm.L2, false, 0).perturb(f, x, y).toFloatArray(), 1e-6f);
        }
    }
}
