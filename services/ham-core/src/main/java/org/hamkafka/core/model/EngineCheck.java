package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Models.ConvShape;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A known-answer check of the engine's convolution, before a model computes anything with it: at every
 * convolution of an architecture, the forward pass, the input gradient (what the attacks follow) and the weight
 * gradient (what training steps on) of {@link AlignedConv#convolve} are compared with the same convolution worked
 * out in double precision by plain loops. {@link Classifier#create} calls {@link #require} for every model, so no
 * process trains, attacks or evaluates on an engine that computes its convolutions wrong; each shape is checked
 * once per process and device.
 *
 * <p>Why: PyTorch's oneDNN kernels computed some convolutions wrong on an AMD EPYC (Zen 5, AVX-512), with errors of
 * the size of the output, and nothing noticed (docs/determinism.md).
 */
public final class EngineCheck {
    /** Batch sizes checked: 1 takes PyTorch's non-oneDNN path, 3 the oneDNN one with an odd batch. */
    static final int[] BATCHES = {1, 3};
    /**
     * Allowed max |error| as a share of the output's largest magnitude. The wrong results seen were 10-100 % of it;
     * float32 rounding is ~1e-6 of it, TF32 on a GPU ~1e-3.
     */
    static final double TOLERANCE = 5e-3;
    /**
     * Feature maps larger than this are checked on a MAX_SIDE × MAX_SIDE crop (the reference's loops grow with the
     * area; the kernels' choice depends on channels, kernel and stride, which stay as they are).
     */
    static final int MAX_SIDE = 32;
    /** What a user can do about a wrong engine, named in every refusal. */
    static final String FIX = "run with DNNL_MAX_CPU_ISA=SSE41 (oneDNN's SSE4.1 kernels were right on every CPU seen, "
            + "their convolutions 1.3-4x slower) or on another machine; see docs/determinism.md";

    /** What {@link #requireDefaults} checks: the architectures the scripts and services default to. */
    static final List<String> DEFAULT_ARCHITECTURES = List.of("tiny-cnn", "smallcnn", "smallcnn-w0.125");

    private static final Set<String> PASSED = ConcurrentHashMap.newKeySet();

    private EngineCheck() {
    }

    /** The engine's convolution as the models call it: y = conv(x, w, b) with "same" padding. */
    @FunctionalInterface
    public interface Convolution {
        NDArray apply(NDArray x, NDArray w, NDArray b, ConvShape shape);
    }

    /**
     * The shapes at which the engine's own convolution was wrong on an AMD EPYC (Zen 5, AVX-512), in the forward pass,
     * the input gradient or both; {@link EngineReport} shows what this machine's engine does at them.
     */
    public static final List<ConvShape> SEEN_WRONG = List.of(new ConvShape(24, 24, 3, 1, 7, 7),
            new ConvShape(20, 20, 3, 1, 7, 7), new ConvShape(49, 49, 3, 1, 7, 7), new ConvShape(196, 196, 3, 1, 7, 7),
            new ConvShape(1, 8, 3, 1, 28, 28), new ConvShape(8, 8, 3, 1, 28, 28), new ConvShape(16, 24, 3, 1, 7, 7),
            new ConvShape(128, 196, 3, 1, 7, 7));

    /** The engine's convolution as it is, on the layer's own channels: what {@link AlignedConv} works around. */
    public static final Convolution RAW = (x, w, b, s) -> ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b,
            new Shape(s.stride(), s.stride()), new Shape(s.kernel() / 2, s.kernel() / 2)).singletonOrThrow();

    /** The one models run. */
    public static final Convolution ALIGNED = (x, w, b, s) -> AlignedConv.convolve(x, w, b,
            new Shape(s.stride(), s.stride()), new Shape(s.kernel() / 2, s.kernel() / 2));

    /** The engine refused: which op at which shape was wrong, by how much, and what to do. */
    public static final class WrongEngineException extends IllegalStateException {
        WrongEngineException(String message) {
            super(message);
        }
    }

    /**
     * Checks every convolution of the architecture on the data set's images, on the device.
     *
     * @throws WrongEngineException naming the op, the shape, the error and the fix
     */
    public static void require(String arch, DatasetInfo info, Device device) {
        require(arch, info, device, ALIGNED);
    }

    /** As {@link #require(String, DatasetInfo, Device)} with the engine's convolution given (tests give wrong ones). */
    static void require(String arch, DatasetInfo info, Device device, Convolution engine) {
        for (ConvShape full : Models.convolutions(arch, info)) {
            ConvShape s = new ConvShape(full.in(), full.out(), full.kernel(), full.stride(),
                    Math.min(full.height(), MAX_SIDE), Math.min(full.width(), MAX_SIDE));
            String key = device + " " + s + (engine == ALIGNED ? "" : " " + engine);
            if (PASSED.contains(key)) {
                continue;
            }
            for (int batch : BATCHES) {
                Optional<String> wrong = check(s, batch, device, engine);
                if (wrong.isPresent()) {
                    throw new WrongEngineException("the engine computes convolutions wrong on this machine ("
                            + machine(device) + "): " + wrong.get() + ". Refusing to train, attack or evaluate with "
                            + "wrong numbers; " + FIX);
                }
            }
            PASSED.add(key);
        }
    }

    /**
     * One shape at one batch size against the double-precision reference; empty when all three results are within
     * {@link #TOLERANCE}, else which result was wrong and by how much.
     */
    public static Optional<String> check(ConvShape s, int batch, Device device, Convolution engine) {
        Random random = new Random(31L * s.hashCode() + batch);
        int k = s.kernel();
        float[] x = uniform(random, batch * s.in() * s.height() * s.width(), 1);
        float[] w = uniform(random, s.out() * s.in() * k * k, 1 / Math.sqrt((double) s.in() * k * k));
        float[] b = uniform(random, s.out(), 1);
        ConvReference ref = new ConvReference(s, batch);
        float[] g = uniform(random, batch * s.out() * ref.outH * ref.outW, 1);
        float[] y;
        float[] dx;
        float[] dw;
        // a trainer may be in a training step on another thread: DJL allows one open collector per JVM
        synchronized (GradientLock.LOCK) {
            try (NDManager m = NDManager.newBaseManager(device);
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xa = m.create(x, new Shape(batch, s.in(), s.height(), s.width()));
                NDArray wa = m.create(w, new Shape(s.out(), s.in(), k, k));
                xa.setRequiresGradient(true);
                wa.setRequiresGradient(true);
                NDArray ya = engine.apply(xa, wa, m.create(b), s);
                y = ya.toFloatArray();
                gc.backward(ya.mul(m.create(g, ya.getShape())).sum());
                dx = xa.getGradient().toFloatArray();
                dw = wa.getGradient().toFloatArray();
            }
        }
        double[] yRef = ref.forward(x, w, b);
        double[] dxRef = new double[x.length];
        double[] dwRef = new double[w.length];
        ref.backward(x, w, g, dxRef, dwRef);
        String where = s + ", batch " + batch;
        return compare("convolution forward", where, y, yRef)
                .or(() -> compare("convolution input gradient", where, dx, dxRef))
                .or(() -> compare("convolution weight gradient", where, dw, dwRef));
    }

    private static Optional<String> compare(String op, String where, float[] got, double[] want) {
        if (got.length != want.length) {
            return Optional.of(op + " of " + where + ": " + got.length + " values, " + want.length + " expected");
        }
        double scale = 0;
        double error = 0;
        for (int i = 0; i < got.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            double e = Math.abs(got[i] - want[i]);
            error = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(error, e);
        }
        double allowed = TOLERANCE * Math.max(scale, 1e-3);
        if (error <= allowed) {
            return Optional.empty();
        }
        return Optional.of(String.format("%s of %s: max |error| %.3g against a double-precision reference (output "
                + "scale %.3g, allowed %.2g)", op, where, error, scale, allowed));
    }

    private static float[] uniform(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** The CPU's model name (or the device), for the refusal. */
    static String machine(Device device) {
        String engine = Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion();
        String cpu = device.isGpu() ? CpuModel.UNKNOWN : CpuModel.current();
        return (CpuModel.UNKNOWN.equals(cpu) ? device.toString() : cpu) + ", " + engine;
    }

    /**
     * The start-up check of every service that trains, attacks or evaluates: the architectures the scripts and the
     * services default to, on Fashion-MNIST's 28×28 (any other architecture is checked when it is first built).
     *
     * @return a line saying what was checked, for the log
     * @throws WrongEngineException as {@link #require}
     */
    public static String requireDefaults(Device device) {
        DatasetInfo info = Datasets.info(Datasets.FASHION_MNIST);
        long shapes = DEFAULT_ARCHITECTURES.stream().flatMap(a -> Models.convolutions(a, info).stream()).distinct().count();
        DEFAULT_ARCHITECTURES.forEach(a -> require(a, info, device));
        return "engine check passed: " + shapes + " convolution shapes of " + DEFAULT_ARCHITECTURES + " on " + device
                + ", forward and both gradients within " + TOLERANCE + " of a double-precision reference";
    }
}
