package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.hamkafka.core.train.HamTrainingTest.assertSameWeights;
import static org.hamkafka.core.train.HamTrainingTest.threshold;
import static org.hamkafka.core.train.HamTrainingTest.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-class loss weights: worked by hand on the one-pixel threshold model (logits [0, 10·(x − 0.5)]). */
class ClassWeightsTest {

    /** CE of class y at logits [0, z]: log(1 + e^{z}) − (y == 1 ? z : 0). */
    private static double ce(double z, int y) {
        return Math.log(1 + Math.exp(z)) - (y == 1 ? z : 0);
    }

    @Test
    void weightsAreTakenOverTheirMeanAndMultiplyEachRowsWeight() {
        ClassWeights w = ClassWeights.of(List.of(1f, 1f, 2f)); // mean 4/3
        assertArrayEquals(new float[]{0.75f, 0.75f, 1.5f}, new float[]{w.relative(0), w.relative(1), w.relative(2)}, 1e-7f);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = m.create(new long[]{2, 0, 1});
            assertArrayEquals(new float[]{1.5f, 0.75f, 0.75f}, w.apply(null, y), 1e-7f);
            assertArrayEquals(new float[]{3f, 0.375f, 0.75f}, w.apply(new float[]{2f, 0.5f, 1f}, y), 1e-7f);
            float[] ham = {2f, 0.5f, 1f};
            assertSame(ham, ClassWeights.NONE.apply(ham, y), "no class weights: the method's own, untouched");
            assertThrows(IllegalArgumentException.class, () -> w.apply(new float[2], y));
            assertThrows(IllegalArgumentException.class, () -> w.apply(null, m.create(new long[]{3})));
        }
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.of(List.of(0f, 0f)));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.of(List.of(1f, -1f)));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.of(List.of(1f, Float.NaN)));
    }

    /** Standard training's loss is (1/n) Σ r_{y_i}·CE_i: weights 3 and 1 are 1.5 and 0.5 over their mean. */
    @Test
    void theTrainingHalfMinimisesTheClassWeightedLoss() {
        float[] pixels = {0.4f, 0.55f};
        long[] labels = {0, 1};
        double ce0 = ce(10 * (0.4 - 0.5), 0);
        double ce1 = ce(10 * (0.55 - 0.5), 1);
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(pixels).reshape(2, 1, 1, 1);
            NDArray y = m.create(labels);
            TrainingMethod weighted = new StandardTraining().withClassWeights(ClassWeights.of(List.of(3f, 1f)));
            StepResult r = weighted.step(f, new SgdMomentum(0.9f, 0f), x, y, new long[]{0, 1}, 1, 0, 0.1f);
            assertEquals((1.5 * ce0 + 0.5 * ce1) / 2, r.loss(), 1e-5);
        }
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            StepResult r = new StandardTraining().step(f, new SgdMomentum(0.9f, 0f), m.create(pixels).reshape(2, 1, 1, 1),
                    m.create(labels), new long[]{0, 1}, 1, 0, 0.1f);
            assertEquals((ce0 + ce1) / 2, r.loss(), 1e-5, "without class weights, the plain mean");
        }
    }

    /**
     * HAM's weights compose with the class weights: the hard rows 0 and 2 (classes 0 and 1) with variations 0.1
     * and 0.3 train on (1/2) Σ ŵ_j·r_{y_j}·CE_j, ŵ from {@link HardExampleWeights}.
     */
    @Test
    void hamMultipliesItsWeightsOfTheHardRowsByTheirClassWeights() {
        float[] adv = {0.45f, 0.52f};
        float[] variation = {0.1f, 0.3f};
        float[] hat = HardExampleWeights.weights(variation, -1f, 0f);
        double expected = (hat[0] * 1.5 * ce(10 * (0.45 - 0.5), 0) + hat[1] * 0.5 * ce(10 * (0.52 - 0.5), 1)) / 2;
        try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(new float[]{0.4f, 0.9f, 0.55f}).reshape(3, 1, 1, 1);
            NDArray y = m.create(new long[]{0, 1, 1});
            AttackOutput out = new AttackOutput(m.create(adv).reshape(2, 1, 1, 1), new int[]{0, 2}, variation,
                    new AttackStats(3, 2, 0, 0, 0));
            TrainingMethod ham = HamTrainingTest.ham(0.1f, true).withClassWeights(ClassWeights.of(List.of(3f, 1f)));
            StepResult r = ham.train(f, new SgdMomentum(0.9f, 0f), x, y, out, 0.1f, 0);
            assertEquals(expected, r.loss(), 1e-5);
            assertEquals(2, r.examplesTrained());
        }
    }

    /** All-equal weights are 1 over their mean: the same weights bit for bit; unequal ones move the model elsewhere. */
    @Test
    void allEqualClassWeightsTrainExactlyAsNone() {
        float[] pixels = {0.3f, 0.45f, 0.55f, 0.7f};
        long[] labels = {0, 1, 0, 1};
        List<List<float[]>> after = new java.util.ArrayList<>();
        for (ClassWeights w : List.of(ClassWeights.NONE, ClassWeights.of(List.of(2f, 2f)), ClassWeights.of(List.of(1f, 5f)))) {
            try (Classifier f = threshold(); NDManager m = f.manager().newSubManager()) {
                new PgdAdversarialTraining(0.1f, 0.025f, 3, Norm.LINF).withClassWeights(w).step(f,
                        new SgdMomentum(0.9f, 0f), m.create(pixels).reshape(4, 1, 1, 1), m.create(labels),
                        new long[]{0, 1, 2, 3}, 7, 0, 0.1f);
                after.add(weights(f));
            }
        }
        assertSameWeights(after.get(0), after.get(1), 0f);
        assertFalse(Arrays.equals(after.get(0).get(0), after.get(2).get(0)) && Arrays.equals(after.get(0).get(1),
                after.get(2).get(1)), "weights 1 and 5 train another model");
    }

    @Test
    void settingsNameAWrongCountOrValue() {
        List<TrainConfig.Violation> v = TrainConfig.defaults("fashion-mnist")
                .with(p -> p.classWeights = List.of(1f, 2f)).problems();
        assertEquals("class_weights", v.get(0).field(), v.toString());
        assertTrue(v.get(0).message().contains("fashion-mnist has 10 classes; got 2"), v.toString());
        v = TrainConfig.defaults("fashion-mnist").with(p -> p.classWeights = List.of(1f, 1f, 1f, 1f, 1f, 1f, -2f, 1f,
                1f, 1f)).problems();
        assertTrue(v.get(0).message().contains("class_weights (--class-weights) must be one finite weight >= 0"),
                v.toString());
        assertTrue(TrainConfig.defaults("fashion-mnist").with(p -> p.classWeights = List.of(1f, 1f, 1f, 1f, 1f, 1f,
                3f, 1f, 1f, 1f)).problems().isEmpty());
    }
}
