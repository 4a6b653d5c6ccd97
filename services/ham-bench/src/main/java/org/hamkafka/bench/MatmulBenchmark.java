package org.hamkafka.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The machine's practical float32 peak through the same engine the attacks use: DJL
 * {@code NDArray.matMul} of two n×n float32 matrices on CPU, 2n³ FLOPs per call. PyTorch runs eagerly
 * on CPU, so the call returns when the product is computed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class MatmulBenchmark {
    @Param({"1024", "2048"})
    public int n;

    private NDManager manager;
    private NDArray a;
    private NDArray b;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getInstance().setRandomSeed(0);
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        a = manager.randomUniform(-1f, 1f, new Shape(n, n), DataType.FLOAT32);
        b = manager.randomUniform(-1f, 1f, new Shape(n, n), DataType.FLOAT32);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public void matMul() {
        try (NDArray c = a.matMul(b)) {
            // the product is computed eagerly; closing frees it at once
        }
    }

    /** FLOPs of one call: n³ multiply-adds. */
    public static double flopsPerCall(int n) {
        return 2.0 * n * n * n;
    }
}
