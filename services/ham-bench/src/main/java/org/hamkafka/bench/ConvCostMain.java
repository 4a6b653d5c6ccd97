package org.hamkafka.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.AlignedConv;
import org.hamkafka.core.model.EngineCheck;
import org.hamkafka.core.model.Models;
import org.hamkafka.core.model.Models.ConvShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What running convolutions on block-aligned channels costs ({@link AlignedConv}): for each architecture, every one
 * of its convolutions at batch 128 on Fashion-MNIST's 28×28, forward plus the backward pass of a training step
 * (input and weight gradients), timed on the engine's own convolution ("raw") and on the aligned one, in turn, round
 * after round, so both see the same machine state. Prints the median milliseconds of each and their ratio. Run it
 * once more under {@code DNNL_MAX_CPU_ISA=SSE41} for the cost of the ISA cap (raw is right there).
 *
 * <p>{@code bash scripts/bench.sh conv [--rounds 25] [arch ...]}
 */
public final class ConvCostMain {
    private static final int BATCH = 128;

    private ConvCostMain() {
    }

    public static void main(String[] args) {
        int rounds = 25; // a tiny-cnn round is a few ms: with 5 rounds its ratio moved 1.2-3.6x between runs
        List<String> archs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                archs.add(args[i]);
            }
        }
        if (archs.isEmpty()) {
            archs = List.of("tiny-cnn", "smallcnn-w0.125", "smallcnn-w0.25", "smallcnn");
        }
        DatasetInfo info = Datasets.info(Datasets.FASHION_MNIST);
        String isa = System.getenv().getOrDefault("DNNL_MAX_CPU_ISA", "unset (oneDNN's default: the CPU's best)");
        System.out.println("# convolution cost, raw vs block-aligned channels, batch " + BATCH + ", 28x28, median of "
                + rounds + " rounds");
        System.out.println("# " + MachineInfo.current().describe());
        System.out.println("# " + MachineInfo.cpuFamilyAndIsa() + ", DNNL_MAX_CPU_ISA " + isa + ", engine "
                + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        System.out.println("| architecture | raw ms | aligned ms | aligned / raw |");
        System.out.println("| --- | --- | --- | --- |");
        for (String arch : archs) {
            List<ConvShape> convs = Models.convolutions(arch, info);
            double[] raw = new double[rounds];
            double[] aligned = new double[rounds];
            time(convs, false); // warm-up: oneDNN builds its kernels at the first call of each shape
            time(convs, true);
            for (int r = 0; r < rounds; r++) {
                raw[r] = time(convs, false);
                aligned[r] = time(convs, true);
            }
            double rawMs = BenchMath.median(raw);
            double alignedMs = BenchMath.median(aligned);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.3f |%n", arch, rawMs, alignedMs, alignedMs / rawMs);
        }
    }

    /** Milliseconds for forward + backward of every convolution once. */
    private static double time(List<ConvShape> convs, boolean alignedPath) {
        long total = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (ConvShape s : convs) {
                NDArray x = m.randomUniform(-1, 1, new Shape(BATCH, s.in(), s.height(), s.width()));
                NDArray w = m.randomUniform(-0.1f, 0.1f, new Shape(s.out(), s.in(), s.kernel(), s.kernel()));
                NDArray b = m.zeros(new Shape(s.out()));
                x.setRequiresGradient(true);
                w.setRequiresGradient(true);
                EngineCheck.Convolution conv = alignedPath ? EngineCheck.ALIGNED : EngineCheck.RAW;
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = conv.apply(x, w, b, s);
                    gc.backward(y.sum());
                    x.getGradient().toFloatArray(); // wait for the result
                }
                total += System.nanoTime() - t0;
            }
        }
        return total / 1e6;
    }
}
