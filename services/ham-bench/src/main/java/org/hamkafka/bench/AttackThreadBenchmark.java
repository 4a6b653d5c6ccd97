package org.hamkafka.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The same PGD-10 call (batch 128, random model) made from one thread every time, or handed in turn
 * to {@code threads} different threads, as a shared worker pool does. Why the attack-service and the
 * eval-service run their PyTorch work on one dedicated thread: PyTorch's CPU kernels (OpenMP) keep
 * per-calling-thread state, and calls that hop between threads pay for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 20)
public class AttackThreadBenchmark {
    @Param({"smallcnn"})
    public String model;

    /** How many threads successive calls rotate over; 1: always the same thread. */
    @Param({"1", "2", "8"})
    public int threads;

    private Classifier f;
    private NDManager manager;
    private NDArray x;
    private NDArray y;
    private NDArray start;
    private Pgd pgd;
    private ExecutorService[] executors;
    private int next;

    @Setup
    public void setUp() {
        DatasetInfo info = Datasets.info("fashion-mnist");
        f = Classifier.create(model, info, Device.cpu(), 0);
        manager = f.manager().newSubManager();
        Random r = new Random(0);
        int n = AttackBenchmark.BATCH;
        float[] px = new float[n * info.pixelsPerImage()];
        float[] d0 = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat();
            d0[i] = (2 * r.nextFloat() - 1) * 0.1f;
        }
        Shape s = new Shape(n, info.channels(), info.height(), info.width());
        x = manager.create(px, s);
        start = manager.create(d0, s);
        y = f.logits(x, false).stopGradient().argMax(1).toType(DataType.INT64, false);
        pgd = new Pgd(0.1f, 0.025f, AttackBenchmark.K, Norm.LINF, true, 0);
        executors = new ExecutorService[threads];
        for (int i = 0; i < threads; i++) {
            executors[i] = Executors.newSingleThreadExecutor();
        }
    }

    @TearDown
    public void tearDown() {
        for (ExecutorService e : executors) {
            e.shutdownNow();
        }
        manager.close();
        f.close();
    }

    @Benchmark
    public void pgd() throws Exception {
        ExecutorService e = executors[next];
        next = (next + 1) % executors.length;
        e.submit(() -> pgd.perturb(f, x, y, start).close()).get();
    }
}
