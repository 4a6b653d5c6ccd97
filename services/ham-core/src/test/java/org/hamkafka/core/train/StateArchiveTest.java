package org.hamkafka.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resume state: weights, momentum and position survive the round trip, so training continues exactly. */
class StateArchiveTest {
    private final DatasetInfo info = Datasets.info("fashion-mnist");

    @Test
    void roundTripContinuesTrainingExactly() {
        try (Classifier a = Classifier.create("tiny-cnn", info, Device.cpu(), 1);
             Classifier b = Classifier.create("tiny-cnn", info, Device.cpu(), 2)) {
            SgdMomentum optA = new SgdMomentum(0.9f, 5e-4f);
            step(a, optA, 10);
            step(a, optA, 11);
            Position p = new Position(3, 7, 42, 40, new long[]{38, 39});
            byte[] archive = StateArchive.write(a, optA, p);

            SgdMomentum optB = new SgdMomentum(0.9f, 5e-4f);
            assertNotEquals(flat(a)[0], flat(b)[0], "different seeds start apart");
            Position q = StateArchive.read(archive, b, optB);
            assertEquals(p.epoch(), q.epoch());
            assertEquals(p.batch(), q.batch());
            assertEquals(p.stepsDone(), q.stepsDone());
            assertEquals(p.modelVersion(), q.modelVersion());
            assertArrayEquals(p.pendingVersions(), q.pendingVersions());
            assertArrayEquals(flat(a), flat(b), "weights (BatchNorm statistics included) restored");
            assertEquals(optA.state().size(), optB.state().size());
            assertTrue(optA.state().size() > 0, "momentum buffers exist after two steps");

            // the next step depends on the momentum: equal only if it was restored too
            step(a, optA, 12);
            step(b, optB, 12);
            assertArrayEquals(flat(a), flat(b));
        }
    }

    @Test
    void archiveWithoutPositionIsRejected() {
        try (Classifier a = Classifier.create("linear", info, Device.cpu(), 1)) {
            byte[] weightsOnly = org.hamkafka.core.model.ModelWeights.exportNpz(a);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StateArchive.read(weightsOnly, a, new SgdMomentum(0.9f, 0f)));
            assertTrue(e.getMessage().contains("trainer__position"), e.getMessage());
        }
    }

    private static void step(Classifier f, SgdMomentum opt, long seed) {
        Random r = new Random(seed);
        float[] px = new float[8 * 784];
        long[] labels = new long[8];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        StandardTraining method = new StandardTraining();
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = m.create(px, new ai.djl.ndarray.types.Shape(8, 1, 28, 28));
            NDArray y = m.create(labels);
            long[] ids = {0, 1, 2, 3, 4, 5, 6, 7};
            method.step(f, opt, x, y, ids, seed, 0, 0.1f);
        }
    }

    private static float[] flat(Classifier f) {
        int n = 0;
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            n += (int) p.getValue().getArray().size();
        }
        float[] out = new float[n];
        int k = 0;
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            float[] v = p.getValue().getArray().toFloatArray();
            System.arraycopy(v, 0, out, k, v.length);
            k += v.length;
        }
        return out;
    }
}
