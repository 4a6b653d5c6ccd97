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
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.hamkafka.core.data.DatasetInfo;

import java.io.InputStream;

/**
 * A classifier f: images in [0,1] (N×C×H×W) to logits (N×classes). Normalization is part of the
 * block, so every attack works in pixel space. Owns its DJL {@link Model} and parameters.
 *
 * <p>Thread-safety: not thread-safe. A forward pass in training mode writes the BatchNorm running
 * statistics, a backward pass writes parameter gradients, and DJL allows one open
 * GradientCollector at a time; use one Classifier per thread (e.g. build one per worker with
 * {@link #create} and keep them in step with {@link #copyWeightsFrom} or {@link ModelWeights}).
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
     *
     * @throws EngineCheck.WrongEngineException when the engine computes this architecture's convolutions wrong
     */
    public static Classifier create(String arch, DatasetInfo info, Device device, long seed) {
        Block block = Models.build(arch, info);
        EngineCheck.require(arch, info, device);
        Model model = Model.newInstance(arch, device, "PyTorch");
        model.setBlock(block);
        Engine.getInstance().setRandomSeed((int) seed);
        block.initialize(model.getNDManager(), DataType.FLOAT32,
                new Shape(1, info.channels(), info.height(), info.width()));
        return new Classifier(model, arch, info);
    }

    /**
     * Builds the architecture and loads weights from a NumPy .npz written by
     * {@link ModelWeights#exportNpz(Classifier, java.io.OutputStream)}.
     *
     * @throws IllegalArgumentException "corrupt weights: ..." for unreadable bytes, or naming the
     *                                  missing, extra or mis-shaped parameter
     */
    public static Classifier fromNpz(String arch, DatasetInfo info, Device device, InputStream npz) {
        Classifier f = create(arch, info, device, 0);
        try {
            ModelWeights.importNpz(f, npz);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /**
     * Copies every parameter of {@code other} (weights and BatchNorm running statistics) into this
     * classifier, in place: the parameter arrays keep their identity and gradient flags, so an
     * optimizer holding them keeps working. Both must have the same architecture and shapes.
     */
    public void copyWeightsFrom(Classifier other) {
        if (!arch.equals(other.arch)) {
            throw new IllegalArgumentException("cannot copy weights of a '" + other.arch + "' into a '" + arch + "'");
        }
        ParameterList mine = block().getParameters();
        ParameterList theirs = other.block().getParameters();
        if (mine.size() != theirs.size()) {
            throw new IllegalArgumentException("parameter lists differ: " + mine.size() + " vs " + theirs.size());
        }
        for (int i = 0; i < mine.size(); i++) {
            String name = mine.get(i).getKey();
            if (!name.equals(theirs.get(i).getKey())) {
                throw new IllegalArgumentException("parameter " + i + " is '" + name + "' here but '"
                        + theirs.get(i).getKey() + "' in the source");
            }
            assign(name, mine.get(i).getValue().getArray(), theirs.get(i).getValue().getArray());
        }
    }

    /**
     * Overwrites dst's values with src's, in place (no new array, so requiresGradient and any
     * references held elsewhere stay valid). The copy goes through host memory; fine for loading.
     */
    static void assign(String name, NDArray dst, NDArray src) {
        if (!dst.getShape().equals(src.getShape())) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + dst.getShape()
                    + " but the source has " + src.getShape());
        }
        if (dst.getDataType() != src.getDataType()) {
            throw new IllegalArgumentException("parameter '" + name + "' is " + dst.getDataType()
                    + " but the source is " + src.getDataType());
        }
        dst.set(src.toByteBuffer());
    }

    /** Trainable parameters counted on the built arrays (BatchNorm running statistics excluded). */
    public long trainableParameterCount() {
        long n = 0;
        for (Pair<String, Parameter> p : block().getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
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
