package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;

/**
 * A classifier f: images in [0,1] (N×C×H×W) to logits (N×classes). Normalization is part of the
 * block, so every attack works in pixel space. Owns its DJL {@link Model} and parameters.
 */
public final class Classifier implements AutoCloseable {
    private final Model model;
    private final String arch;
    private final DatasetInfo info;
    private final ParameterStore parameterStore;

    private Classifier(Model model, String arch, DatasetInfo info) {
        this.model = model;
        this.arch = arch;
        this.info = info;
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    /**
     * Builds and initializes the named architecture (see {@link Models}) for the data set. The seed
     * fixes the initial weights, so two builds with the same seed are identical.
     */
    public static Classifier create(String arch, DatasetInfo info, Device device, long seed) {
        Block block = Models.build(arch, info);
        Model model = Model.newInstance(arch, device, "PyTorch");
        model.setBlock(block);
        Engine.getInstance().setRandomSeed((int) seed);
        block.initialize(model.getNDManager(), DataType.FLOAT32,
                new Shape(1, info.channels(), info.height(), info.width()));
        return new Classifier(model, arch, info);
    }

    /** Logits of x; {@code training} selects BatchNorm batch statistics (and updates running ones). */
    public NDArray logits(NDArray x, boolean training) {
        return model.getBlock().forward(parameterStore, new NDList(x), training).singletonOrThrow();
    }

    /**
     * Switches gradient tracking of every trainable parameter. Attacks switch it off so that their
     * backward passes neither touch nor pay for parameter gradients.
     */
    public void requireParameterGradients(boolean require) {
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(require);
            }
        }
    }

    public Model model() {
        return model;
    }

    public Block block() {
        return model.getBlock();
    }

    public NDManager manager() {
        return model.getNDManager();
    }

    public Device device() {
        return model.getNDManager().getDevice();
    }

    public String arch() {
        return arch;
    }

    public DatasetInfo info() {
        return info;
    }

    @Override
    public void close() {
        model.close();
    }
}
