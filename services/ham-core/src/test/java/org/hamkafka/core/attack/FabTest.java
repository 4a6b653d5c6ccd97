package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FAB-T against the closed-form boundary of a linear model, and the invariants of every attack on tiny-cnn. */
class FabTest {
    static final Shape LINEAR_IMAGE = new Shape(1, 4, 4);
    static final int D = 16;
    static final int CLASSES = 4;
    static final Shape CNN_IMAGE = new Shape(1, 8, 8);
    static Classifier cnn;
    static Dataset test;

    @BeforeAll
    static void model() {
        cnn = Synthetic.trainedTinyCnn(Synthetic.data(1000, 1), 4);
        test = Synthetic.data(40, 2);
    }

    static NDArray images(NDManager m, int n) {
        return test.images(m, IntStream.range(0, n).toArray());
    }

    static NDArray labels(NDManager m, int n) {
        return test.labels(m, IntStream.range(0, n).toArray());
    }

    @AfterAll
    static void close() {
        cnn.close();
    }

    static float epsFor(Norm norm) {
        return norm == Norm.LINF ? 0.05f : 0.4f;
    }

    /**
     * z = W·x + b with 4 classes: class 0 (y) leads class 1 (t) by 0.2 at x, classes 2 and 3 sit 100
     * below (out of reach). Returns the flat x; the model gets W and b.
     */
    static float[] linearCase(Classifier f, long seed) {
        Random r = new Random(seed);
        float[] x = new float[D];
        float[] w = new float[CLASSES * D];
        double margin = 0;
        for (int i = 0; i < D; i++) {
            x[i] = 0.45f + 0.1f * r.nextFloat();
            w[i] = 2 * r.nextFloat() - 1;
            w[D + i] = 2 * r.nextFloat() - 1;
            margin += (double) (w[i] - w[D + i]) * x[i];
        }
        Tiny.setLinear(f, w, new float[]{0f, (float) (margin - 0.2), -100f, -100f});
        return x;
    }

    /** (z_y − z_t)/||w_y − w_t||, the dual norm: ||·||1 for L∞, ||·||2 for L2. */
    static double closedFormDistance(Classifier f, NDArray x, Norm norm) {
        float[] w = Tiny.parameter(f, "weight").getArray().toFloatArray();
        float[] z = f.logits(x, false).toFloatArray();
        double dual = 0;
        for (int i = 0; i < D; i++) {
            double d = (double) w[i] - w[D + i];
            dual += norm == Norm.LINF ? Math.abs(d) : d * d;
        }
        return (z[0] - z[1]) / (norm == Norm.LINF ? dual : Math.sqrt(dual));
    }

    static double size(float[] delta, int from, int per, Norm norm) {
        return FabRun.norm(delta, from, per, norm);
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void findsTheClosedFormBoundaryOfALinearModel(Norm norm) {
        try (Classifier f = Tiny.linear(Tiny.info(1, 4, CLASSES), 1); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(linearCase(f, 11), new Shape(1).addAll(LINEAR_IMAGE));
            NDArray y = m.create(new long[]{0});
            assertEquals(0L, Tiny.predictions(f, x).getLong(0));
            double exact = closedFormDistance(f, x, norm);
            assertTrue(exact > 0.005 && exact < 0.1, "the box must not bind: " + exact);

            Fab wide = new Fab((float) (2 * exact), norm, 100, 1, 9, 0);
            NDArray adv = wide.perturb(f, x, y);
            double found = size(adv.sub(x).toFloatArray(), 0, D, norm);
            float[] z = f.logits(adv, false).toFloatArray();
            assertTrue(z[1] > z[0], norm + ": across the y/t boundary, z = " + java.util.Arrays.toString(z));
            assertEquals(1L, Tiny.predictions(f, adv).getLong(0));
            assertTrue(found >= exact * (1 - 1e-4) && found <= exact * 1.02,
                    norm + ": found " + found + ", closed form " + exact);

            Fab narrow = new Fab((float) (0.97 * exact), norm, 100, 1, 9, 0);
            NDArray kept = narrow.perturb(f, x, y);
            assertArrayEquals(x.toFloatArray(), kept.toFloatArray(), 0f, norm + ": eps below the distance breaks nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void staysInTheBallAndTheBoxAndBreaksOnlyWhatItReturns(Norm norm) {
        float eps = epsFor(norm);
        try (NDManager m = cnn.manager().newSubManager()) {
            int n = 40;
            NDArray x = images(m, n);
            NDArray y = labels(m, n);
            Fab fab = new Fab(eps, norm, 10, 2, 3, 4);
            NDArray adv = fab.perturb(cnn, x, y);
            assertEquals(x.getShape(), adv.getShape());
            assertSame(m, adv.getManager(), "result belongs to x's manager");
            assertFalse(adv.hasGradient(), "result has no gradient history");
            float[] delta = adv.sub(x).toFloatArray();
            long[] after = Tiny.predictions(cnn, adv).toLongArray();
            long[] labels = y.toLongArray();
            int per = (int) CNN_IMAGE.size();
            int broken = 0;
            for (int i = 0; i < n; i++) {
                double s = size(delta, i * per, per, norm);
                assertTrue(s <= eps + 1e-6, "example " + i + ": ||delta|| = " + s);
                if (s > 0) {
                    assertNotEquals(labels[i], after[i], "example " + i + " moved but is not misclassified");
                    broken++;
                }
            }
            for (float p : adv.toFloatArray()) {
                assertTrue(p >= 0f && p <= 1f, "pixel " + p + " outside [0,1]");
            }
            assertTrue(broken > 0 && broken < n, norm + ": broke " + broken + " of " + n + " (the check must bite)");
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedSameResult(Norm norm) {
        try (NDManager m = cnn.manager().newSubManager()) {
            NDArray x = images(m, 10);
            NDArray y = labels(m, 10);
            float[] first = new Fab(epsFor(norm), norm, 10, 2, 3, 9).perturb(cnn, x, y).toFloatArray();
            float[] second = new Fab(epsFor(norm), norm, 10, 2, 3, 9).perturb(cnn, x, y).toFloatArray();
            assertArrayEquals(first, second, 0f);
            assertFalse(java.util.Arrays.equals(first, x.toFloatArray()), "something moved");
        }
    }

    @Test
    void projectionSolvesTheBoxConstrainedProblem() {
        float[] p = {0.9f, 0.5f};
        // L∞, w·δ = 0.4 with w = (1, 1): (0.2, 0.2) is the free optimum, but the box leaves x_0 only 0.1
        assertArrayEquals(new double[]{0.1, 0.3}, FabRun.project(p, 0, new double[]{1, 1}, 0.4, Norm.LINF), 1e-6);
        // L2, w = (2, 1): δ = λw = (0.16, 0.08) is free; the box caps x_0 at 0.1, the rest goes to x_1: (0.1, 0.2)
        assertArrayEquals(new double[]{0.1, 0.2}, FabRun.project(p, 0, new double[]{2, 1}, 0.4, Norm.L2), 1e-6);
        // L2 where the box does not bind: λw with λ = c/||w||² = 0.1/5
        assertArrayEquals(new double[]{0.02, -0.04}, FabRun.project(p, 0, new double[]{1, -2}, 0.1, Norm.L2), 1e-6);
        // a negative c moves the other way; coordinates with w_i = 0 stay
        assertArrayEquals(new double[]{-0.1, 0, 0.1}, FabRun.project(new float[]{0.5f, 0.5f, 0.5f}, 0,
                new double[]{1, 0, -1}, -0.2, Norm.LINF), 1e-6);
        // out of the box's reach: every coordinate as far as the box allows, (0.1, 0.5)
        assertArrayEquals(new double[]{0.1, 0.5}, FabRun.project(p, 0, new double[]{1, 1}, 5, Norm.L2), 1e-6);
        // the row at an offset
        assertArrayEquals(new double[]{0.1, 0.3}, FabRun.project(new float[]{0, 0, 0.9f, 0.5f}, 2,
                new double[]{1, 1}, 0.4, Norm.LINF), 1e-6);
    }

    @Test
    void passesAsCountedByHand() {
        try (Classifier f = Tiny.linear(Tiny.info(1, 4, CLASSES), 1); NDManager m = f.manager().newSubManager()) {
            // W = 0: ∇(z_t − z_y) = 0, no step moves, nothing breaks. 3 examples, 1 misclassified clean;
            // 1 clean forward of 3, then 3 targets (C − 1) × 1 restart × 2 rows × (11 forward, 10 backward)
            Tiny.setLinear(f, new float[CLASSES * D], new float[]{5f, 1f, 0.5f, 0f});
            NDArray x = Tiny.uniformImages(m, 3, LINEAR_IMAGE, 7);
            Fab fab = new Fab(0.1f, Norm.LINF, 10, 1, 9, 0);
            fab.perturb(f, x, m.create(new long[]{0, 0, 2}));
            assertEquals(3 + 3 * 2 * 11, fab.forwardRows());
            assertEquals(3 * 2 * 10, fab.backwardRows());

            // the linear case: every iterate after steps 1..9 is across the boundary (each step overshoots
            // by η), so each needs its gradient again after the β step back; target 1 breaks it, no more targets:
            // 1 clean + 11 + 9 forward, 10 + 9 backward
            NDArray one = m.create(linearCase(f, 11), new Shape(1).addAll(LINEAR_IMAGE));
            Fab fab2 = new Fab(0.2f, Norm.L2, 10, 1, 9, 0);
            fab2.perturb(f, one, m.create(new long[]{0}));
            assertEquals(1 + 11 + 9, fab2.forwardRows());
            assertEquals(10 + 9, fab2.backwardRows());
        }
    }

    @Test
    void leavesParameterGradientsAlone() {
        try (NDManager m = cnn.manager().newSubManager()) {
            NDArray x = images(m, 6);
            NDArray y = labels(m, 6);
            Tiny.backwardOnce(cnn, x);
            List<float[]> before = gradients(cnn);
            assertTrue(before.stream().anyMatch(g -> Tiny.maxAbs(g) > 0), "a non-zero gradient to watch");
            Fab fab = new Fab(0.05f, Norm.LINF, 5, 1, 2, 0);
            fab.perturb(cnn, x, y);
            List<float[]> after = gradients(cnn);
            assertEquals(before.size(), after.size(), "every parameter that tracked its gradient still does");
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), 0f, "parameter gradient " + i + " changed");
            }
            assertTrue(fab.forwardRows() > 0 && fab.backwardRows() > 0);
        }
    }

    /** The gradients of the parameters that track one (BatchNorm's running statistics do not). */
    static List<float[]> gradients(Classifier f) {
        List<float[]> out = new java.util.ArrayList<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            if (p.getValue().getArray().hasGradient()) {
                out.add(p.getValue().getArray().getGradient().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void evaluationAttacksBuildsFabT() {
        List<Attack> a = EvaluationAttacks.create(List.of("fab-t", "fab-t-20"), 0.1f, Norm.LINF, 0);
        assertInstanceOf(Fab.class, a.get(0));
        assertEquals(List.of("fab-t", "fab-t"), a.stream().map(Attack::name).toList());
        assertEquals(100, a.get(0).settings().get("iterations"));
        assertEquals(9, a.get(0).settings().get("targets"));
        assertEquals(1, a.get(0).settings().get("restarts"));
        assertEquals(20, a.get(1).settings().get("iterations"));
        assertEquals("fab-t-l2", EvaluationAttacks.create(List.of("fab-t"), 0.5f, Norm.L2, 0).get(0).name());
        for (String bad : new String[]{"fab-t-0", "fab-t-1001", "fab", "fab-x"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> EvaluationAttacks.check(bad), bad);
            assertTrue(e.getMessage().contains("fab-t"), e.getMessage());
        }
    }
}
