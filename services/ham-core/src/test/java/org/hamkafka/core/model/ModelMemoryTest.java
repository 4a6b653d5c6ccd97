package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.WeightedLoss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A model's own manager holds its parameters (and what the optimizer keeps), nothing per pass: what a forward,
 * a training step or an attack creates is freed with the caller's manager. A model lives for a whole evaluation or
 * training job, so one array left on it per pass grows without bound (an AutoAttack on 1,000 examples took a
 * process past 24 GB before {@link AlignedConv} put its padded weights on the input's manager).
 */
class ModelMemoryTest {
    static final DatasetInfo INFO = new DatasetInfo("gray8", 1, 8, 8, List.of("a", "b", "c"),
            new float[] {0.5f}, new float[] {0.25f});

    /** tiny-cnn pads output channels (8), smallcnn-w0.125 input and output (24), smallcnn both (196). */
    @ParameterizedTest
    @ValueSource(strings = {"linear", "tiny-cnn", "smallcnn-w0.125", "smallcnn"})
    void passesLeaveNothingOnTheModelsManager(String arch) {
        try (Classifier f = Classifier.create(arch, INFO, Device.cpu(), 3);
             NDManager data = NDManager.newBaseManager(Device.cpu())) {
            SgdMomentum optimizer = new SgdMomentum(0.9f, 5e-4f);
            NDArray x = data.randomUniform(0, 1, new Shape(4, 1, 8, 8));
            NDArray y = data.create(new long[] {0, 1, 2, 1});
            round(f, optimizer, x, y); // the first step creates the momentum buffers, which stay
            int held = f.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                round(f, optimizer, x, y);
            }
            assertEquals(held, f.manager().getManagedArrays().size(),
                    arch + ": arrays on the model's manager after three more rounds of passes");
        }
    }

    /** One inference forward, one training forward, one SGD step and one PGD attack, each in its caller's scope. */
    private static void round(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(scope);
            f.logits(in, false).toFloatArray();
            f.logits(in, true).toFloatArray();
            synchronized (GradientLock.LOCK) {
                WeightedLoss.step(f, optimizer, in, y, null, 0.01f);
                new Pgd(0.1f, 0.025f, 2, Norm.LINF, true, 5).perturb(f, in, y).toFloatArray();
            }
        }
    }
}
