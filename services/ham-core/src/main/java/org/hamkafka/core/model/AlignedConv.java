package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Convolutions whose channel counts fill whole SIMD blocks of 16 floats, the shape on which PyTorch's oneDNN
 * kernels are right on every CPU this project has run on.
 *
 * <p>On an AMD EPYC (Zen 5, AVX-512) PyTorch 2.5.1 and 2.7.1 compute some 3×3 convolutions wrong: the forward pass
 * when the input channels do not fill a block of 16 (24→24, 20→20, 49→49, 196→196: errors of the size of the
 * output), and the input gradient when the output channels do not (1→8, 8→8 gives NaN, 16→24, 128→196). Every
 * convolution whose input and output channels are multiples of 16 came out right, at every batch size tried, and so
 * did every weight gradient. So each convolution here runs on zero-padded channels: the input gets zero channels
 * up to a multiple of 16 (unless it has fewer than 16, as a first layer's 1 or 3 do: those are right as they are
 * and padding them would multiply the layer's cost), the weight gets zero rows and columns to match, the output is
 * sliced back to the real channels. The arithmetic is unchanged (zeros add nothing; the padded weight entries get
 * no gradient because their outputs are sliced away), the parameters keep their real shapes, and so do saved
 * weights. Its cost, measured against the engine's own convolutions: 1.0× on SmallCNN's, 1.2× on
 * smallcnn-w0.125's, 1.3× on tiny-cnn's (docs/determinism.md). {@link EngineCheck} proves the result at every shape
 * a model runs, once per process.
 */
public final class AlignedConv {
    /** Floats per AVX-512 register: oneDNN's channel block on these CPUs. */
    static final int BLOCK = 16;

    private AlignedConv() {
    }

    /** A 3×3 (or k×k) convolution with "same" padding, stride s, computed on block-aligned channels. */
    public static Conv2d build(int filters, int kernel, int stride, boolean bias) {
        int pad = kernel / 2; // "same" padding for odd kernels: 3×3 -> 1, 1×1 -> 0
        return new Conv2d(ai.djl.nn.convolutional.Conv2d.builder().setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad)).optBias(bias));
    }

    /** Input channels as the engine sees them: up to a multiple of {@link #BLOCK}, unless fewer than one block. */
    public static int inputChannels(int channels) {
        return channels < BLOCK ? channels : roundUp(channels);
    }

    /** Output channels as the engine sees them: always a multiple of {@link #BLOCK}. */
    public static int outputChannels(int channels) {
        return roundUp(channels);
    }

    private static int roundUp(int c) {
        return (c + BLOCK - 1) / BLOCK * BLOCK;
    }

    /**
     * conv(x, w, b) on padded channels, sliced back: the one place the engine's convolution is called, by the model
     * and by {@link EngineCheck}, so the check proves exactly what training and the attacks run.
     */
    public static NDArray convolve(NDArray x, NDArray w, NDArray b, Shape stride, Shape padding) {
        long n = x.getShape().get(0);
        int in = (int) w.getShape().get(1);
        int out = (int) w.getShape().get(0);
        int inPadded = inputChannels(in);
        int outPadded = outputChannels(out);
        NDManager m = x.getManager();
        if (inPadded != in) {
            Shape xs = x.getShape();
            x = padded(x, new Shape(n, inPadded - in, xs.get(2), xs.get(3)), 1, m);
            Shape ws = w.getShape();
            w = padded(w, new Shape(out, inPadded - in, ws.get(2), ws.get(3)), 1, m);
        }
        if (outPadded != out) {
            Shape ws = w.getShape();
            w = padded(w, new Shape(outPadded - out, ws.get(1), ws.get(2), ws.get(3)), 0, m);
            if (b != null) {
                b = padded(b, new Shape(outPadded - out), 0, m);
            }
        }
        NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, stride, padding).singletonOrThrow();
        return outPadded == out ? y : y.get(new NDIndex(":, :" + out));
    }

    /**
     * a with zeros of the given shape appended along axis, on m, x's manager. A concatenation lives on its first
     * operand's manager: for a weight or bias that is the model's, which would keep one padded copy per forward
     * pass until the model is closed (gigabytes over an AutoAttack, or over a long training job).
     */
    private static NDArray padded(NDArray a, Shape zeros, int axis, NDManager m) {
        NDArray p = a.concat(m.zeros(zeros, a.getDataType()), axis);
        p.attach(m);
        return p;
    }

    /**
     * DJL's Conv2d with its forward on aligned channels. Named {@code Conv2d} on purpose: a block's parameter names
     * come from its class' simple name ({@code 02Conv2d_weight}), and saved weights are keyed by them.
     */
    public static final class Conv2d extends ai.djl.nn.convolutional.Conv2d {
        Conv2d(ai.djl.nn.convolutional.Conv2d.Builder builder) {
            super(builder);
        }

        @Override
        protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            Device device = x.getDevice();
            NDArray w = parameterStore.getValue(weight, device, training);
            NDArray b = includeBias ? parameterStore.getValue(bias, device, training) : null;
            return new NDList(convolve(x, w, b, stride, padding));
        }
    }
}
