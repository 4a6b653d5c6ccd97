package org.hamkafka.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.attack.EarlyDropPgd;
import org.hamkafka.core.attack.EarlyDropResult;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Attack throughput on CPU: one invocation = one attack call on a batch of 128 random images of a
 * data set's shape against a randomly initialised model (seeded), labelled by the model's own clean
 * prediction (or at random, see {@link #labels}). The primary
 * score is attack calls per second; the auxiliary counters (rates per second) give examples, kept
 * (hard) examples and the forward/backward batch-rows actually spent, from which {@link JmhSummary}
 * works out examples×steps per second, the drop rate and the FLOP rate.
 *
 * <p>With a random model the drop rate of EarlyDropPgd is arbitrary (it says how easily K' steps flip
 * a random network's prediction, not how a trained one behaves); the summary reports it next to the
 * throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 20)
public class AttackBenchmark {
    public static final int BATCH = 128;
    public static final int K = 10;
    public static final int K_DROP = 3;

    @Param({"smallcnn", "preact-resnet18"})
    public String model;

    /** The data set whose image shape is used: fashion-mnist 1×28×28, cifar10 3×32×32. */
    @Param({"fashion-mnist", "cifar10"})
    public String shape;

    @Param({"0.1"})
    public float eps;

    /**
     * predicted: each image is labelled with the model's own clean prediction, so an example is "hard"
     * exactly when K' steps flip the prediction; random: uniform random labels (mostly wrong already).
     */
    @Param({"predicted"})
    public String labels;

    @Param({"0"})
    public long seed;

    private NDManager manager;
    private Classifier f;
    private NDArray x;
    private NDArray y;
    private NDArray start;
    private Pgd pgd;
    private EarlyDropPgd earlyDrop;

    /** Rows spent, as rates per second (JMH divides OPERATIONS counters by the measured time). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rows {
        public long examplesIn;
        public long examplesKept;
        public long forwardRows;
        public long backwardRows;

        @Setup(Level.Iteration)
        public void reset() {
            examplesIn = 0;
            examplesKept = 0;
            forwardRows = 0;
            backwardRows = 0;
        }

        void add(AttackStats s) {
            examplesIn += s.examplesIn();
            examplesKept += s.examplesKept();
            forwardRows += s.forwardRows();
            backwardRows += s.backwardRows();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        DatasetInfo info = Datasets.info(shape);
        f = Classifier.create(model, info, Device.cpu(), seed);
        manager = f.manager().newSubManager();
        Random r = new Random(seed);
        int pixels = info.channels() * info.height() * info.width();
        float[] px = new float[BATCH * pixels];
        float[] d0 = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat();
            d0[i] = (2 * r.nextFloat() - 1) * eps;
        }
        Shape s = new Shape(BATCH, info.channels(), info.height(), info.width());
        x = manager.create(px, s);
        start = manager.create(d0, s);
        switch (labels) {
            case "predicted" -> y = f.logits(x, false).stopGradient().argMax(1).toType(DataType.INT64, false);
            case "random" -> {
                long[] ys = new long[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    ys[i] = r.nextInt(info.numClasses());
                }
                y = manager.create(ys);
            }
            default -> throw new IllegalArgumentException("labels must be predicted or random; got " + labels);
        }
        float alpha = eps / 4f;
        pgd = new Pgd(eps, alpha, K, Norm.LINF, true, seed);
        earlyDrop = new EarlyDropPgd(eps, alpha, K, K_DROP, Norm.LINF, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
        f.close();
    }

    /** PGD-K from the fixed random start; Pgd reports no stats, its rows are N·K each way. */
    @Benchmark
    public void pgd(Rows rows) {
        NDArray adv = pgd.perturb(f, x, y, start);
        adv.close();
        rows.add(new AttackStats(BATCH, BATCH, (long) BATCH * K, (long) BATCH * K, 0));
    }

    /** HAM's early-dropping PGD (K, K'), counted by its own AttackStats. */
    @Benchmark
    public void earlyDropPgd(Rows rows) {
        EarlyDropResult r = earlyDrop.attack(f, x, y, start);
        if (r.hardAdversarial() != null) {
            r.hardAdversarial().close();
        }
        rows.add(r.stats());
    }
}
