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
        SgdMomentum optimizer = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
        LearningRateSchedule schedule = cfg.optimisation().schedule();
        TrainingCost cost = TrainingCost.zero();
        long t0 = System.nanoTime();
        Double cpu0 = TrainingCost.processCpuSeconds();
        float lastEpochLoss = Float.NaN;
        try {
            for (int epoch = 0; epoch < cfg.optimisation().epochs(); epoch++) {
                float lr = schedule.lr(epoch);
                int[][] plan = Subsets.epochBatches(train.size(), cfg.optimisation().batchSize(), cfg.data().seed(), epoch);
                double lossSum = 0;
                int lossCount = 0;
                for (int b = 0; b < plan.length; b++) {
                    StepResult r = step(f, optimizer, train, plan[b], epoch, b, lr);
                    cost = cost.plus(r);
                    if (r.stepped()) {
                        lossSum += r.loss();
                        lossCount++;
                    }
                    if (progress != null) {
                        double secs = (System.nanoTime() - t0) / 1e9;
                        progress.onBatch(new BatchProgress(epoch, cfg.optimisation().epochs(), b, plan.length, lr, r.loss(),
                                1.0 - (double) r.examplesTrained() / r.examplesIn(), cost.examplesSeen() / secs,
                                r.attackStats().millis()));
                    }
                }
                lastEpochLoss = lossCount == 0 ? Float.NaN : (float) (lossSum / lossCount);
            }
        } finally {
            optimizer.clear();
        }
        Double cpu1 = TrainingCost.processCpuSeconds();
        return new Result(cost.withTime(cfg.optimisation().epochs(), (System.nanoTime() - t0) / 1e9,
                cpu0 == null || cpu1 == null ? null : cpu1 - cpu0), lastEpochLoss);
    }

    /** One batch: its own sub-manager, closed afterwards so memory stays flat. */
    StepResult step(Classifier f, SgdMomentum optimizer, Dataset train, int[] rows, int epoch, int batch, float lr) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = train.images(m, rows);
            NDArray y = train.labels(m, rows);
            long[] ids = Starts.toLong(rows);
            return method.step(f, optimizer, x, y, ids, Seeds.step(cfg.data().seed(), epoch, batch), epoch, lr);
        }
    }
}
