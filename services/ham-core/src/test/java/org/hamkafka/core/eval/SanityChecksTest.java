package org.hamkafka.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SanityChecksTest {
    static final DatasetInfo THREE = new DatasetInfo("three", 1, 2, 2, List.of("a", "b", "c"),
            new float[]{0f}, new float[]{1f});
    static final Shape IMAGE = new Shape(1, 1, 2, 2);

    /** 12 images with pixels on the grid j/10 (j = 1..9), labels 0, 1, 2 in turn. */
    static Dataset data() {
        Random r = new Random(3);
        float[] pixels = new float[12 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (1 + r.nextInt(9)) / 10f;
        }
        int[] labels = new int[12];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
        }
        return new Dataset(THREE, pixels, labels);
    }

    static Classifier linear() {
        return Classifier.create("linear", THREE, Device.cpu(), 1);
    }

    /** The linear model with {@code before} applied to its input and {@code after} to its output. */
    static Classifier wrapped(Function<NDArray, NDArray> before, Function<NDArray, NDArray> after) {
        Classifier f = linear();
        SequentialBlock b = new SequentialBlock()
                .add(new LambdaBlock(l -> new NDList(before.apply(l.singletonOrThrow()))))
                .add(f.block())
                .add(new LambdaBlock(l -> new NDList(after.apply(l.singletonOrThrow()))));
        f.model().setBlock(b);
        b.initialize(f.manager(), DataType.FLOAT32, IMAGE);
        return f;
    }

    static List<String> warnings(Classifier f, String... attacks) {
        List<String> names = attacks.length == 0 ? List.of() : List.of(attacks);
        return new ClassWiseEvaluator(new ArrayList<>(EvaluationAttacks.create(names, 0.1f, Norm.LINF, 1)), 5)
                .evaluate(f, data()).warnings();
    }

    static long count(List<String> warnings, String check) {
        return warnings.stream().filter(w -> w.startsWith("sanity check '" + check + "'")).count();
    }

    @Test
    void aPlainModelPassesEveryCheck() {
        try (Classifier f = linear()) {
            List<String> w = new ClassWiseEvaluator(List.of(new Pgd(0.1f, 0.025f, 3, Norm.LINF, true, 1)), 5)
                    .evaluate(f, data()).warnings();
            assertEquals(List.of(), w);
        }
    }

    @Test
    void aSoftmaxOutputIsFlaggedAsProbabilities() {
        try (Classifier f = wrapped(x -> x, z -> z.softmax(1))) {
            List<String> w = warnings(f, "pgd-2");
            assertEquals(1, count(w, "probabilities"), w.toString());
            assertTrue(w.get(0).contains("tolerance 1e-05"), w.get(0));
        }
    }

    @Test
    void aQuantizedInputHasZeroGradients() {
        try (Classifier f = wrapped(x -> x.mul(10f).round().div(10f), z -> z)) {
            List<String> w = warnings(f, "pgd-2");
            assertEquals(1, count(w, "zero-gradients"), w.toString());
            // all 5 examples of the first batch
            assertTrue(w.get(0).contains("5 of 5 examples (share 1.000, threshold 0.0)"), w.get(0));
            assertEquals(0, count(w, "probabilities") + count(w, "randomness"), w.toString());
        }
    }

    @Test
    void noiseInInferenceIsFlaggedAsRandomness() {
        AtomicLong calls = new AtomicLong();
        Function<NDArray, NDArray> noise = z -> {
            Random r = new Random(17 + calls.getAndIncrement());
            float[] e = new float[(int) z.size()];
            for (int i = 0; i < e.length; i++) {
                e[i] = (float) (0.1 * r.nextGaussian());
            }
            return z.add(z.getManager().create(e, z.getShape()));
        };
        try (Classifier f = wrapped(x -> x, noise)) {
            List<String> w = warnings(f, "pgd-2");
            assertEquals(1, count(w, "randomness"), w.toString());
            assertEquals(0, count(w, "zero-gradients") + count(w, "probabilities"), w.toString());
        }
    }

    @Test
    void moreTargetsThanClassesMinusOneAreFlagged() {
        List<String> w = new ArrayList<>();
        SanityChecks.targets(EvaluationAttacks.create(List.of("pgd-2", "apgd-t", "fab-t", "autoattack-fast"),
                0.1f, Norm.LINF, 1), 3, w);
        // apgd-t: 9 targets; fab-t: 9; autoattack-fast: 3 (APGD-T) and no FAB-T; 3 classes allow 2
        assertEquals(3, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("sanity check 'targets': apgd-t"), w.get(0));
        assertTrue(w.get(0).contains("9 target classes (targets)") && w.get(0).contains("at most 2"), w.get(0));
        assertTrue(w.get(1).startsWith("sanity check 'targets': fab-t"), w.get(1));
        assertTrue(w.get(2).contains("autoattack-fast asks for 3 target classes (targets)"), w.get(2));
        List<String> tenClasses = new ArrayList<>();
        SanityChecks.targets(EvaluationAttacks.create(List.of("apgd-t", "fab-t", "autoattack"), 0.1f, Norm.LINF, 1),
                10, tenClasses);
        assertEquals(List.of(), tenClasses);
    }

    @Test
    void theEvaluatorRunsTheTargetsCheckOnAThreeClassDataSet() {
        try (Classifier f = linear()) {
            List<String> w = warnings(f, "fab-t-2");
            assertEquals(List.of("sanity check 'targets': fab-t asks for 9 target classes (targets) but the data "
                    + "set has 3 classes, at most 2 targets; it runs with 2."), w);
        }
    }
}
