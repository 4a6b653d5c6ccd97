package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Each row in a ball of its own (per-class budgets): the projection and the step, worked out by hand. */
class RowBudgetTest {

    @Test
    void linfProjectionClipsEachRowToItsOwnRadius() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[]{0.5f, 0.5f, 0.5f, 0.5f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray z = m.create(new float[]{0.9f, 0.1f, 0.9f, 0.1f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray scale = m.create(new float[]{1f, 0.5f});
            // radii 0.1 and 0.05
            assertArrayEquals(new float[]{0.6f, 0.4f, 0.55f, 0.45f},
                    AttackMath.project(z, x, 0.1f, Norm.LINF, scale).toFloatArray(), 1e-6f);
            // without a scale: the one radius
            assertArrayEquals(new float[]{0.6f, 0.4f, 0.6f, 0.4f},
                    AttackMath.project(z, x, 0.1f, Norm.LINF, null).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void l2ProjectionScalesEachRowOntoItsOwnBall() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(2, 2));
            NDArray z = m.create(new float[]{3f, 4f, 3f, 4f}, new ai.djl.ndarray.types.Shape(2, 2)).div(10f);
            NDArray scale = m.create(new float[]{0.2f, 0.1f});
            // δ = (0.3, 0.4), ||δ|| = 0.5; radii 0.2 and 0.1 of eps 1: (0.12, 0.16) and (0.06, 0.08)
            assertArrayEquals(new float[]{0.12f, 0.16f, 0.06f, 0.08f},
                    AttackMath.project(z, x, 1f, Norm.L2, scale).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void theStepOfEachRowIsScaledAlike() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xk = m.create(new float[]{0.5f, 0.5f, 0.5f, 0.5f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray g = m.create(new float[]{2f, -3f, 2f, -3f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray scale = m.create(new float[]{1f, 0.5f});
            // alpha 0.02: sign steps of 0.02 and 0.01
            assertArrayEquals(new float[]{0.52f, 0.48f, 0.51f, 0.49f},
                    AttackMath.ascend(xk, g, 0.02f, Norm.LINF, scale).toFloatArray(), 1e-6f);
        }
    }
}
