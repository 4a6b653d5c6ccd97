package org.hamkafka.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassWiseEvaluatorTest {
    static final DatasetInfo ONE_PIXEL = new DatasetInfo("one-pixel", 1, 1, 1, List.of("dark", "bright"),
            new float[]{0f}, new float[]{1f});

    /** logits = [0, 10·(x - 0.5)]: predicts "bright" iff x > 0.5. */
    static Classifier threshold() {
        Classifier f = Classifier.create("linear", ONE_PIXEL, Device.cpu(), 0);
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            if (p.getKey().endsWith("weight")) {
                a.set(new float[]{0f, 10f});
            } else {
                a.set(new float[]{0f, -5f});
            }
        }
        JniUtils.setGradMode(mode);
        return f;
    }

    @Test
    void perClassCleanAndRobustAccuracyOfAHandBuiltThresholdModel() {
        // dark (label 0): 0.1, 0.45, 0.7 (wrong) -> clean 2/3; bright (label 1): 0.9, 0.55 -> clean 2/2
        float[] pixels = {0.1f, 0.45f, 0.7f, 0.9f, 0.55f};
        int[] labels = {0, 0, 0, 1, 1};
        Dataset d = new Dataset(ONE_PIXEL, pixels, labels);
        try (Classifier f = threshold()) {
            // eps 0.1 PGD: 0.45 and 0.55 are pushed across 0.5, 0.1 and 0.9 are out of reach
            ClassWiseEvaluator ev = new ClassWiseEvaluator(List.of(new Pgd(0.1f, 0.025f, 10, Norm.LINF, true, 1)), 2);
            ClassWiseReport r = ev.evaluate(f, d);
            assertArrayEquals(new double[]{2.0 / 3, 1.0}, r.clean().perClass(), 1e-12);
            assertArrayEquals(new double[]{1.0 / 3, 0.5}, r.robust("pgd-10").perClass(), 1e-12);
            assertEquals("dark", r.robust("pgd-10").worstClass());
            assertArrayEquals(new long[]{3, 2}, r.classCounts());
            assertArrayEquals(new long[]{2, 1}, r.cleanConfusion()[0]);
            assertTrue(r.attacks().contains("pgd-10"));
        }
    }

    @Test
    void standardAttackNamesBuildTheEvaluationAttacks() {
        var attacks = ClassWiseEvaluator.attacks(List.of("pgd-20", "cw-20"), 0.1f, Norm.LINF, 0);
        assertEquals("pgd-20", attacks.get(0).name());
        assertEquals("cw-20", attacks.get(1).name());
    }
}
