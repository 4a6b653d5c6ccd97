package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.Devices;

import java.nio.file.Path;

/**
 * A whole training run in one process — the reference semantics the distributed trainer must agree
 * with. Read top to bottom: for each epoch, the seeded batch plan
 * ({@link Subsets#epochBatches}); for each batch, a sub-manager, the images, the step's seed
 * ({@link Seeds#step}), the method's attack and training halves at the schedule's learning rate.
 * Deterministic on CPU for a given configuration.
 */
public final class TrainingRun {
    /** Called after every batch (for a progress bar). */
    @FunctionalInterface
    public interface Progress {
        void onBatch(BatchProgress p);
    }

    /**
     * @param dropRate          fraction of the batch that took no part in training (HAM's easy examples)
     * @param examplesPerSecond examples of this run so far per wall-clock second
     * @param attackMillis      wall time of this batch's attack half
     */
    public record BatchProgress(int epoch, int epochs, int batch, int batches, float lr, float loss,
                                double dropRate, double examplesPerSecond, double attackMillis) {
    }

    public record Result(TrainingCost cost, float lastEpochMeanLoss) {
    }

    private final TrainConfig cfg;
    private final TrainingMethod method;

    public TrainingRun(TrainConfig cfg) {
        this.cfg = cfg.validate();
        this.method = Methods.create(cfg);
    }

    public TrainConfig config() {
        return cfg;
    }

    public TrainingMethod method() {
        return method;
    }

    /** The training split, reduced to a class-balanced subset of {@code trainSubset} examples if > 0. */
    public static Dataset loadTrain(TrainConfig cfg) {
        Dataset d = Datasets.load(cfg.dataset(), dataDir(cfg), true);
        return subset(d, cfg.data().trainSubset(), cfg.data().seed(), true);
    }

    /** The test split, reduced to a class-balanced subset of {@code testSubset} examples if > 0. */
    public static Dataset loadTest(TrainConfig cfg) {
        Dataset d = Datasets.load(cfg.dataset(), dataDir(cfg), false);
        return subset(d, cfg.data().testSubset(), cfg.data().seed(), false);
    }

    /** A subset larger than the split is refused (a report would otherwise state a size that was not used). */
    private static Dataset subset(Dataset d, int n, long seed, boolean train) {
        if (n > d.size()) {
            throw new IllegalArgumentException(PartialConfig.named(train ? "trainSubset" : "testSubset")
                    + " must be at most the " + (train ? "training" : "test") + " split's " + d.size()
                    + " examples (0 = all of them); got " + n);
        }
        return n > 0 && n < d.size() ? Subsets.classBalanced(d, n, Seeds.subset(seed, train)) : d;
    }

    private static Path dataDir(TrainConfig cfg) {
        String dir = cfg.runtime().dataDir();
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** A fresh model of the configured architecture, initialised from the run's seed. */
    public Classifier newModel(Dataset train) {
        return Classifier.create(cfg.model(), train.info(), Devices.resolve(cfg.runtime().device()), cfg.data().seed());
    }

    /** Trains {@code f} on {@code train} for all configured epochs. */
    public Result train(Classifier f, Dataset train, Progress progress) {
        long t0 = System.nanoTime();
        Double cpu0 = TrainingCost.processCpuSeconds();
        try (Steps steps = steps(f, train)) {
            while (steps.hasNext()) {
                BatchProgress p = steps.next();
                if (progress != null) {
                    progress.onBatch(p);
                }
            }
            Double cpu1 = TrainingCost.processCpuSeconds();
            return new Result(steps.cost().withTime(cfg.optimisation().epochs(), (System.nanoTime() - t0) / 1e9,
                    cpu0 == null || cpu1 == null ? null : cpu1 - cpu0), steps.lastEpochLoss());
        }
    }

    /** The run's batches one at a time (see {@link Steps}); close it to free the optimizer's buffers. */
    public Steps steps(Classifier f, Dataset train) {
        return new Steps(f, train);
    }

    /**
     * The run's batches one at a time, in {@link #train}'s order and with its arithmetic ({@link #train} is this
     * loop): for a bench that interleaves two runs batch by batch, so that both meet the same machine.
     */
    public final class Steps implements AutoCloseable {
        private final Classifier f;
        private final Dataset train;
        private final SgdMomentum optimizer;
        private final LearningRateSchedule schedule = cfg.optimisation().schedule();
        private final long t0 = System.nanoTime();
        private TrainingCost cost = TrainingCost.zero();
        private int epoch;
        private int batch;
        private int[][] plan;
        private double lossSum;
        private int lossCount;
        private float lastEpochLoss = Float.NaN;

        private Steps(Classifier f, Dataset train) {
            this.f = f;
            this.train = train;
            this.optimizer = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
        }

        public boolean hasNext() {
            return epoch < cfg.optimisation().epochs();
        }

        /** Trains the next batch. */
        public BatchProgress next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException("all " + cfg.optimisation().epochs() + " epochs are trained");
            }
            if (plan == null) {
                plan = Subsets.epochBatches(train.size(), cfg.optimisation().batchSize(), cfg.data().seed(), epoch);
            }
            float lr = schedule.lr(epoch);
            TimedStep t = step(f, optimizer, train, plan[batch], epoch, batch, lr);
            StepResult r = t.result();
            cost = cost.plus(r, t.trainSeconds());
            if (r.stepped()) {
                lossSum += r.loss();
                lossCount++;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            BatchProgress p = new BatchProgress(epoch, cfg.optimisation().epochs(), batch, plan.length, lr, r.loss(),
                    1.0 - (double) r.examplesTrained() / r.examplesIn(), cost.examplesSeen() / secs,
                    r.attackStats().millis());
            if (++batch == plan.length) {
                lastEpochLoss = lossCount == 0 ? Float.NaN : (float) (lossSum / lossCount);
                lossSum = 0;
                lossCount = 0;
                batch = 0;
                plan = null;
                epoch++;
            }
            return p;
        }

        /** Counts and the two halves' times so far (no wall time: {@link #train} adds it). */
        public TrainingCost cost() {
            return cost;
        }

        /** Mean loss over the last finished epoch's stepped batches (NaN before one is finished). */
        public float lastEpochLoss() {
            return lastEpochLoss;
        }

        @Override
        public void close() {
            optimizer.clear();
        }
    }

    /** A step's result and the wall time of its training half (the attack half's is in its stats). */
    record TimedStep(StepResult result, double trainSeconds) {
    }

    /**
     * One batch: its own sub-manager, closed afterwards so memory stays flat. The two halves as
     * {@link TrainingMethod#step} runs them, called one by one to time the training half.
     */
    TimedStep step(Classifier f, SgdMomentum optimizer, Dataset train, int[] rows, int epoch, int batch, float lr) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = train.images(m, rows);
            NDArray y = train.labels(m, rows);
            long[] ids = Starts.toLong(rows);
            AttackOutput out = method.attack(f, x, y, ids, Seeds.step(cfg.data().seed(), epoch, batch), epoch);
            long t0 = System.nanoTime();
            StepResult r = method.train(f, optimizer, x, y, out, lr, epoch);
            return new TimedStep(r, (System.nanoTime() - t0) / 1e9);
        }
    }
}
