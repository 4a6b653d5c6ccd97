package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.data.DatasetInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassifierTest {
    static final DatasetInfo INFO = new DatasetInfo("tiny", 1, 2, 2, List.of("a", "b", "c"),
            new float[]{0.5f}, new float[]{0.25f});

    @Test
    void sameSeedGivesSameWeightsAndLogitsHaveClassShape() {
        try (Classifier a = Classifier.create("linear", INFO, Device.cpu(), 7);
             Classifier b = Classifier.create("linear", INFO, Device.cpu(), 7)) {
            NDArray x = a.manager().ones(new Shape(5, 1, 2, 2));
            NDArray la = a.logits(x, false);
            NDArray lb = b.logits(x.duplicate(), false);
            assertEquals(new Shape(5, 3), la.getShape());
            assertArrayEquals(la.toFloatArray(), lb.toFloatArray(), 0f);
        }
    }
}
