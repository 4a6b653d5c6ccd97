package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Square Attack: gradient-free, inside the threat model, reproducible, and its passes counted exactly. */
class SquareTest {
    static final DatasetInfo INFO = Tiny.info(1, 8, 3);
    static final Shape IMAGE = new Shape(1, 8, 8);
    static final int PIXELS = 64;

    static float epsFor(Norm norm) {
        return norm == Norm.LINF ? 0.05f : 0.5f;
    }

    /**
     * z = W·q(x) + b with q(x) = round(10·x)/10: the rounding passes no gradient, so every gradient
     * attack sees zeros; class 1 minus class 0 is Σq(x) − T.
     */
    static Classifier quantizedSum(DatasetInfo info, float threshold) {
        Classifier f = Tiny.linear(info, 1);
        SequentialBlock masked = new SequentialBlock()
                .add(new LambdaBlock(l -> new NDList(l.singletonOrThrow().mul(10f).round().div(10f))))
                .add(f.block());
        f.model().setBlock(masked);
        masked.initialize(f.manager(), DataType.FLOAT32, new Shape(1).addAll(IMAGE));
        int classes = info.numClasses();
        float[] weight = new float[classes * PIXELS];
        java.util.Arrays.fill(weight, PIXELS, 2 * PIXELS, 1f);
        float[] bias = new float[classes];
        bias[1] = -threshold;
        for (int k = 2; k < classes; k++) {
            bias[k] = -1e3f;
        }
        Tiny.setLinear(f, weight, bias);
        return f;
    }

    /** Images whose pixels lie on the grid j/10, j = 1..9, so that ±0.1 moves q by exactly one step. */
    static NDArray gridImages(NDManager m, int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n * PIXELS];
        for (int i = 0; i < a.length; i++) {
            a[i] = (1 + r.nextInt(9)) / 10f;
        }
        return m.create(a, new Shape(n).addAll(IMAGE));
    }

    @Test
    void squareBreaksAGradientMaskedModelThatApgdCeDoesNot() {
        // per image T = Σq(x) + 3.15: class 0 is right until at least 32 of the 64 pixels move up a step
        int n = 16;
        DatasetInfo info = Tiny.info(1, 8, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = gridImages(m, n, 3);
            int brokenByApgd = 0;
            int brokenBySquare = 0;
            float[] sums = x.reshape(n, -1).sum(new int[]{1}).toFloatArray();
            for (int i = 0; i < n; i++) {
                try (Classifier f = quantizedSum(info, sums[i] + 3.15f)) {
                    NDArray xi = x.get(i + ":" + (i + 1));
                    NDArray yi = m.create(new long[]{0});
                    assertEquals(0, Tiny.predictions(f, xi).toLongArray()[0], "clean image " + i + " is classified right");
                    Apgd apgd = new Apgd(0.1f, Norm.LINF, 50, 1, Apgd.Loss.CE, 0, 7);
                    brokenByApgd += Tiny.predictions(f, apgd.perturb(f, xi, yi)).toLongArray()[0] != 0 ? 1 : 0;
                    Square square = new Square(0.1f, Norm.LINF, 200, 7);
                    brokenBySquare += Tiny.predictions(f, square.perturb(f, xi, yi)).toLongArray()[0] != 0 ? 1 : 0;
                }
            }
            assertTrue(brokenByApgd <= n / 4, "APGD-CE broke " + brokenByApgd + " of " + n);
            assertTrue(brokenBySquare >= 3 * n / 4, "Square broke " + brokenBySquare + " of " + n);
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void everyPointStaysInTheBallAndTheBox(Norm norm) {
        float eps = epsFor(norm);
        int n = 12;
        try (Classifier f = Tiny.linear(INFO, 3); NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, n, IMAGE, 11);
            NDArray y = Tiny.predictions(f, x);
            NDArray adv = new Square(eps, norm, 100, 5).perturb(f, x, y);
            assertEquals(x.getShape(), adv.getShape());
            assertTrue(adv.getManager() == m, "result belongs to x's manager");
            float[] d = adv.sub(x).toFloatArray();
            double moved = 0;
            for (int i = 0; i < n; i++) {
                double l2 = 0;
                double linf = 0;
                for (int j = 0; j < PIXELS; j++) {
                    double e = d[i * PIXELS + j];
                    l2 += e * e;
                    linf = Math.max(linf, Math.abs(e));
                }
                double size = norm == Norm.LINF ? linf : Math.sqrt(l2);
                assertTrue(size <= eps + 1e-6, "example " + i + ": ||delta|| = " + size);
                moved = Math.max(moved, size);
            }
            for (float p : adv.toFloatArray()) {
                assertTrue(p >= 0f && p <= 1f, "pixel " + p + " outside [0,1]");
            }
            assertTrue(moved > eps / 2, "moved only " + moved);
        }
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void theSameSeedGivesTheSamePointsAndAnotherSeedOthers(Norm norm) {
        int n = 8;
        try (Classifier f = Tiny.linear(INFO, 4); NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, n, IMAGE, 21);
            NDArray y = Tiny.predictions(f, x);
            float eps = epsFor(norm) / 10; // small: few examples break, so the search runs on
            float[] a = new Square(eps, norm, 50, 9).perturb(f, x, y).toFloatArray();
            float[] b = new Square(eps, norm, 50, 9).perturb(f, x, y).toFloatArray();
            float[] c = new Square(eps, norm, 50, 10).perturb(f, x, y).toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c), "seed 10 gave the points of seed 9");
        }
    }

    /**
     * Four rows: 0 misclassified clean; 1 all ones and barely right (any stripe of −eps breaks it);
     * 2 and 3 far from the boundary. With N queries: 4 clean + 3 start + 2·N forward rows.
     */
    @Test
    void passesAreCountedRowByRow() {
        DatasetInfo info = Tiny.info(1, 8, 2);
        try (Classifier f = Tiny.linear(info, 0); NDManager m = f.manager().newSubManager()) {
            float[] weight = new float[2 * PIXELS];
            java.util.Arrays.fill(weight, PIXELS, 2 * PIXELS, 1f);
            Tiny.setLinear(f, weight, new float[]{0f, -63.95f}); // z1 − z0 = Σx − 63.95
            float[] pixels = new float[4 * PIXELS];
            java.util.Arrays.fill(pixels, 0, PIXELS, 0.5f);
            java.util.Arrays.fill(pixels, PIXELS, 2 * PIXELS, 1f);
            java.util.Arrays.fill(pixels, 2 * PIXELS, 4 * PIXELS, 0.5f);
            NDArray x = m.create(pixels, new Shape(4).addAll(IMAGE));
            NDArray y = m.create(new long[]{1, 1, 0, 0});
            int queries = 5;
            Square square = new Square(0.1f, Norm.LINF, queries, 1);
            NDArray adv = square.perturb(f, x, y);
            long[] predicted = Tiny.predictions(f, adv).toLongArray();
            assertArrayEquals(new long[]{0, 0, 0, 0}, predicted, "rows 0 and 1 misclassified, 2 and 3 not");
            assertArrayEquals(x.get("0").toFloatArray(), adv.get("0").toFloatArray(), "row 0 returned as it is");
            assertEquals(4 + 3 + 2L * queries, square.forwardRows());
            assertEquals(0, square.backwardRows());
            square.perturb(f, x, y);
            assertEquals(2 * (4 + 3 + 2L * queries), square.forwardRows(), "counts add up over calls");
        }
    }

    @Test
    void aModelWrongOnEveryExampleCostsOneForwardPerRow() {
        int n = 6;
        try (Classifier f = Tiny.linear(INFO, 5); NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, n, IMAGE, 31);
            NDArray y = Tiny.predictions(f, x).add(1).mod(3);
            Square square = new Square(0.1f, Norm.LINF, Square.QUERIES, 2);
            NDArray adv = square.perturb(f, x, y);
            assertEquals(n, square.forwardRows());
            assertEquals(0, square.backwardRows());
            assertArrayEquals(x.toFloatArray(), adv.toFloatArray());
        }
    }

    @Test
    void parameterGradientsAreUntouchedAndTrackingIsRestored() {
        try (Classifier f = Tiny.linear(INFO, 6); NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, 6, IMAGE, 12);
            NDArray y = Tiny.predictions(f, x);
            Tiny.backwardOnce(f, x);
            List<float[]> before = Tiny.gradients(f);
            assertTrue(Tiny.maxAbs(before.get(0)) > 0, "the known gradient is non-zero");
            new Square(0.1f, Norm.LINF, 20, 3).perturb(f, x, y);
            List<float[]> after = Tiny.gradients(f);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), 0f, "Square changed a parameter gradient");
            }
            assertTrue(AttackMath.parametersRequireGradient(f), "gradient tracking is back on");
        }
    }

    @Test
    void theScheduleHalvesPAtTheReferenceFractions() {
        // N = 5000: i maps to ⌊i/5000·10000⌋ = 2i, so p halves after i = 5, 25, 100, 250, 500, 1000, 2000, 3000, 4000
        assertEquals(0.8, Square.p(0, 5000, 0.8));
        assertEquals(0.8, Square.p(5, 5000, 0.8));
        assertEquals(0.4, Square.p(6, 5000, 0.8));
        assertEquals(0.4, Square.p(25, 5000, 0.8));
        assertEquals(0.2, Square.p(26, 5000, 0.8));
        assertEquals(0.1, Square.p(101, 5000, 0.8));
        assertEquals(0.8 / 16, Square.p(251, 5000, 0.8));
        assertEquals(0.8 / 32, Square.p(501, 5000, 0.8));
        assertEquals(0.8 / 64, Square.p(1001, 5000, 0.8));
        assertEquals(0.8 / 128, Square.p(2001, 5000, 0.8));
        assertEquals(0.8 / 256, Square.p(3001, 5000, 0.8));
        assertEquals(0.8 / 256, Square.p(4000, 5000, 0.8));
        assertEquals(0.8 / 512, Square.p(4001, 5000, 0.8));
        assertEquals(0.8 / 512, Square.p(4999, 5000, 0.8));
        // N = 10000 is the base: thresholds unchanged
        assertEquals(0.8, Square.p(10, 10000, 0.8));
        assertEquals(0.4, Square.p(11, 10000, 0.8));
    }

    @Test
    void etaIsTwoOppositeRectanglesOfUnitNorm() {
        // s = 3: top row rectangle(1, 3) ∝ (1/4, 1 + 1/4, 1/4), bottom rows rectangle(2, 3) negated
        double[] e = SquareSteps.eta(3, false);
        double sum2 = 0;
        for (double v : e) {
            sum2 += v * v;
        }
        assertEquals(1.0, sum2, 1e-12);
        assertEquals(e[0], e[2], 1e-15);
        assertEquals(5 * e[0], e[1], 1e-12);
        assertTrue(e[0] > 0 && e[3] < 0 && e[8] < 0);
        double[] t = SquareSteps.eta(3, true);
        assertEquals(e[1], t[3], 1e-15);
    }

    @Test
    void evaluationAttacksBuildSquareAndBoundItsQueries() {
        List<Attack> a = EvaluationAttacks.create(List.of("square", "square-100"), 0.1f, Norm.LINF, 0);
        assertInstanceOf(Square.class, a.get(0));
        assertEquals(List.of("square", "square"), a.stream().map(Attack::name).toList());
        assertEquals(Square.QUERIES, a.get(0).settings().get("queries"));
        assertEquals(0.8, a.get(0).settings().get("p_init"));
        assertEquals(100, a.get(1).settings().get("queries"));
        for (String bad : new String[]{"square-0", "square-10001"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluationAttacks.check(bad));
            assertTrue(e.getMessage().contains("queries must be in [1, 10000]"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluationAttacks.check("squares"));
        assertTrue(e.getMessage().contains("square[-<queries>]"), e.getMessage());
    }
}
