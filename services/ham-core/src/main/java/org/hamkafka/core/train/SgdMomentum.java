package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import org.hamkafka.core.model.Classifier;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum and weight decay, PyTorch semantics:
 * {@code d = g + wd·w; buf = μ·buf + d (buf = d on the first step); w = w - lr·buf}. Its momentum
 * buffers are state that a checkpoint carries (a trainer restarted from a snapshot continues exactly).
 *
 * <p>DJL's own {@code Sgd} keeps MXNet-style buffers ({@code buf = μ·buf - lr·g}), which differ from
 * PyTorch's as soon as the learning rate changes; the update is therefore written here with in-place
 * NDArray operations under PyTorch's no-grad mode (the same mode DJL's PyTorch optimizers use), so
 * the update records no graph and a parameter leaf may be modified in place.
 */
public final class SgdMomentum {
    private final float momentum;
    private final float weightDecay;
    /** parameter name -> momentum buffer; insertion order = the block's parameter order. */
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private NDManager bufferManager;

    public SgdMomentum(float momentum, float weightDecay) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1); got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0; got " + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /** Applies one update to every trainable parameter of f from its gradient, then zeroes the gradients. */
    public void step(Classifier f, float lr) {
        if (!(lr >= 0) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0; got " + lr);
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDManager buffersOn = buffers(f);
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                Parameter param = p.getValue();
                if (!param.requiresGradient()) {
                    continue;
                }
                NDArray w = param.getArray();
                if (!w.hasGradient()) {
                    continue;
                }
                try (NDManager scratch = w.getManager().newSubManager()) {
                    NDArray g = w.getGradient();
                    g.attach(scratch);
                    NDArray d = g;
                    if (weightDecay != 0) {
                        // every intermediate goes to scratch, or it would pile up in the model's manager
                        NDArray decay = w.mul(weightDecay);
                        decay.attach(scratch);
                        d = g.add(decay);
                        d.attach(scratch);
                    }
                    NDArray direction;
                    if (momentum == 0) {
                        direction = d;
                    } else {
                        NDArray buf = buffers.get(p.getKey());
                        if (buf == null) {
                            buf = d.duplicate();
                            buf.attach(buffersOn);
                            buffers.put(p.getKey(), buf);
                        } else {
                            buf.muli(momentum).addi(d);
                        }
                        direction = buf;
                    }
                    NDArray delta = direction.mul(lr);
                    delta.attach(scratch);
                    w.subi(delta);
                    g.muli(0f); // zero the accumulated gradient in place
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Zeroes every parameter gradient of f (DJL accumulates them across backward calls). */
    public void zeroGradients(Classifier f) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                NDArray w = p.getValue().getArray();
                if (w.hasGradient()) {
                    try (NDArray g = w.getGradient()) {
                        g.muli(0f);
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Momentum buffers, each named by its parameter's name (empty before the first step). */
    public NDList state() {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : buffers.entrySet()) {
            NDArray a = e.getValue();
            a.setName(e.getKey());
            list.add(a);
        }
        return list;
    }

    /** Restores buffers from {@link #state()}; arrays are copied onto f's device. */
    public void loadState(Classifier f, NDList state) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            params.put(p.getKey(), p.getValue());
        }
        for (NDArray a : state) {
            String name = a.getName();
            Parameter param = params.get(name);
            if (param == null) {
                throw new IllegalArgumentException("optimizer state names parameter '" + name
                        + "', which model " + f.arch() + " does not have");
            }
            if (!param.getArray().getShape().equals(a.getShape())) {
                throw new IllegalArgumentException("optimizer state for '" + name + "' has shape " + a.getShape()
                        + ", parameter has " + param.getArray().getShape());
            }
        }
        clear();
        NDManager m = buffers(f);
        for (NDArray a : state) {
            // toDevice(.., true) may share storage on the same device: duplicate so the buffers are ours
            NDArray moved = a.toDevice(f.device(), false);
            NDArray copy = moved.duplicate();
            if (moved != a) {
                moved.close();
            }
            copy.attach(m);
            copy.setName(a.getName());
            buffers.put(a.getName(), copy);
        }
    }

    /** Forgets the momentum buffers (the next step starts as PyTorch's first step). */
    public void clear() {
        if (bufferManager != null) {
            bufferManager.close();
            bufferManager = null;
        }
        buffers.clear();
    }

    private NDManager buffers(Classifier f) {
        if (bufferManager == null || !bufferManager.isOpen()) {
            bufferManager = f.manager().newSubManager();
        }
        return bufferManager;
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }
}
