package org.hamkafka.core.train;

import ai.djl.ndarray.NDList;
import org.hamkafka.core.model.Classifier;

/**
 * SGD with momentum and weight decay, PyTorch semantics:
 * {@code d = g + wd·w; buf = μ·buf + d; w = w - lr·buf}. Its momentum buffers are state that a
 * checkpoint carries (a trainer restarted from a snapshot continues exactly).
 */
public final class SgdMomentum {
    private final float momentum;
    private final float weightDecay;

    public SgdMomentum(float momentum, float weightDecay) {
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1); got " + momentum);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0; got " + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /** Applies one update to every trainable parameter of f from its gradient, then zeroes the gradients. */
    public void step(Classifier f, float lr) {
        throw new UnsupportedOperationException("implemented in the training work package");
    }

    /** Zeroes every parameter gradient of f (DJL accumulates them across backward calls). */
    public void zeroGradients(Classifier f) {
        throw new UnsupportedOperationException("implemented in the training work package");
    }

    /** Momentum buffers, each named by its parameter's name (empty before the first step). */
    public NDList state() {
        throw new UnsupportedOperationException("implemented in the training work package");
    }

    /** Restores buffers from {@link #state()}; arrays are copied onto f's device. */
    public void loadState(Classifier f, NDList state) {
        throw new UnsupportedOperationException("implemented in the training work package");
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }
}
