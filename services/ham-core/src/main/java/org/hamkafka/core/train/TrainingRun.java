package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.CpuModel;
import org.hamkafka.core.model.Devices;

import org.hamkafka.core.model.GradientLock;

import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * A training run: the one batch loop of the project, for the command line, the benches and the trainer-service
 * alike ({@link Steps}). Read top to bottom: for each epoch, the seeded batch plan ({@link Subsets#epochBatches})
 * and, for a robust-fairness method, its {@link FairnessRule} (the epoch's class weights and budgets); for each
 * batch, a sub-manager, the images, the step's seed ({@link Seeds#step}), the attack half
 * ({@link AttackHalf}: this process's method, or attack workers), the method's training half at the schedule's
 * learning rate, then the {@link TrainingListener}s. A run starts at a {@link Position} — the first batch, or
 * a resume state's ({@link StateArchive}). Deterministic on CPU for a given configuration.
 */
public final class TrainingRun {
    public record Result(TrainingCost cost, float lastEpochMeanLoss) {
    }

    private final TrainConfig cfg;
    /** The configuration's method. */
    private final TrainingMethod method;
    /** The method's fairness rule (frl, wat), or null. */
    private final FairnessRule rule;
    /** The method the current epoch trains with: {@link #method}, or it with the rule's class weights and budgets. */
    private volatile TrainingMethod current;
    /** The rule's validation split, when the caller holds it (else read from the configuration when first needed). */
    private Dataset validation;

    public TrainingRun(TrainConfig cfg) {
        this.cfg = cfg.validate();
        this.method = Methods.create(cfg);
        this.rule = FairnessRule.of(cfg);
        this.current = method;
    }

    public TrainConfig config() {
        return cfg;
    }

    /**
     * The validation split the fairness rule measures on, where the caller already holds it (a test's own data);
     * without it the run reads {@link #loadValidation} when the rule first needs it.
     */
    public TrainingRun withValidation(Dataset split) {
        this.validation = split;
        return this;
    }

    /** The method the current epoch trains with (a fairness rule sets its class weights epoch by epoch). */
    public TrainingMethod method() {
        return current;
    }

    /**
     * The training split without the validation examples ({@code validationSize}), reduced to a class-balanced subset
     * of {@code trainSubset} examples if > 0.
     */
    public static Dataset loadTrain(TrainConfig cfg) {
        Dataset d = Datasets.load(cfg.dataset(), dataDir(cfg), true);
        int[] held = heldOut(d, cfg);
        if (held.length > 0) {
            boolean[] out = new boolean[d.size()];
            for (int i : held) {
                out[i] = true;
            }
            d = d.subset(IntStream.range(0, d.size()).filter(i -> !out[i]).toArray());
        }
        return subset(d, cfg.data().trainSubset(), cfg.data().seed(), true, held.length);
    }

    /** The validation split: {@code validationSize} class-balanced examples held out of the training split. */
    public static Dataset loadValidation(TrainConfig cfg) {
        Dataset d = Datasets.load(cfg.dataset(), dataDir(cfg), true);
        return d.subset(heldOut(d, cfg));
    }

    private static int[] heldOut(Dataset train, TrainConfig cfg) {
        int n = cfg.data().validationSize();
        if (n >= train.size()) {
            throw new IllegalArgumentException(PartialConfig.named("validationSize") + " must be below the training "
                    + "split's " + train.size() + " examples; got " + n);
        }
        return n == 0 ? new int[0] : Subsets.classBalancedIndices(train, n, Seeds.heldOut(cfg.data().seed()));
    }

    /** The test split, reduced to a class-balanced subset of {@code testSubset} examples if > 0. */
    public static Dataset loadTest(TrainConfig cfg) {
        Dataset d = Datasets.load(cfg.dataset(), dataDir(cfg), false);
        return subset(d, cfg.data().testSubset(), cfg.data().seed(), false, 0);
    }

    /**
     * A subset larger than the split is refused (a report would otherwise state a size that was not used).
     * {@code heldOut}: the validation examples already taken from the split (only the training split has them).
     */
    private static Dataset subset(Dataset d, int n, long seed, boolean train, int heldOut) {
        if (n > d.size()) {
            throw new IllegalArgumentException(PartialConfig.named(train ? "trainSubset" : "testSubset")
                    + " must be at most the " + (train ? "training" : "test") + " split's " + d.size()
                    + " examples" + (heldOut > 0 ? " left after " + PartialConfig.named("validationSize") + " held out "
                    + heldOut : "") + " (0 = all of them); got " + n);
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

    /** Trains {@code f} on {@code train} for all configured epochs, in this process, from the first batch. */
    public Result train(Classifier f, Dataset train, TrainingListener... listeners) {
        try (Steps steps = steps(f, train, listeners)) {
            return steps.run();
        }
    }

    /** This process's attack half: the method's own attack on the current weights, one batch in flight. */
    public AttackHalf localAttack(Classifier f) {
        return b -> new AttackHalf.Attacked(
                current.attack(f, b.x(), b.y(), Starts.toLong(b.rows()), b.seed(), b.epoch()), b.version());
    }

    /** The run's batches in this process from the first one, with a fresh optimizer; close it to free its buffers. */
    public Steps steps(Classifier f, Dataset train, TrainingListener... listeners) {
        return steps(f, train, new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay()),
                localAttack(f), Position.START, List.of(listeners));
    }

    /**
     * The run's batches from {@code start}, the attack half from {@code attack}: the optimizer (its momentum
     * loaded with the start's state, if resumed) is the steps' from here on, and cleared when they close.
     */
    public Steps steps(Classifier f, Dataset train, SgdMomentum optimizer, AttackHalf attack, Position start,
                       List<TrainingListener> listeners) {
        if (start.epoch() > cfg.optimisation().epochs()) {
            throw new IllegalArgumentException("the run is at epoch " + start.epoch() + ", past its "
                    + PartialConfig.named("epochs") + " " + cfg.optimisation().epochs());
        }
        // a data set of one's own says how many classes it has only now that its files are read
        List<Float> classWeights = cfg.classWise().weights();
        if (classWeights != null && classWeights.size() != train.info().numClasses()) {
            throw new IllegalArgumentException(PartialConfig.named("classWeights") + " needs one weight per class: "
                    + cfg.dataset() + " has " + train.info().numClasses() + " classes; got " + classWeights.size());
        }
        List<Float> classEps = cfg.classWise().eps();
        if (classEps != null && classEps.size() != train.info().numClasses()) {
            throw new IllegalArgumentException(PartialConfig.named("classEps") + " needs one eps per class: "
                    + cfg.dataset() + " has " + train.info().numClasses() + " classes; got " + classEps.size());
        }
        return new Steps(f, train, optimizer, attack, start, List.copyOf(listeners));
    }

    /**
     * The loop, one batch per {@link #next}: batch in, attack half, training half, step done, listeners. A bench
     * can interleave two runs batch by batch, so that both meet the same machine; {@link #run} runs the rest.
     */
    public final class Steps implements AutoCloseable {
        private final Classifier f;
        private final Dataset train;
        private final SgdMomentum optimizer;
        private final AttackHalf attack;
        private final List<TrainingListener> listeners;
        private final LearningRateSchedule schedule = cfg.optimisation().schedule();
        private final long t0 = System.nanoTime();
        private final Double cpu0 = TrainingCost.processCpuSeconds();
        private TrainingCost cost = TrainingCost.zero();
        private int epoch;
        private int batch;
        private long stepsDone;
        private long version;
        private int[][] plan;
        private double lossSum;
        private int lossCount;
        private float lastEpochLoss = Float.NaN;
        /** The rule's multipliers (null without a rule). */
        private FairnessState fairness;

        private Steps(Classifier f, Dataset train, SgdMomentum optimizer, AttackHalf attack, Position start,
                      List<TrainingListener> listeners) {
            this.f = f;
            this.train = train;
            this.optimizer = optimizer;
            this.attack = attack;
            this.listeners = listeners;
            this.epoch = start.epoch();
            this.batch = start.batch();
            this.stepsDone = start.stepsDone();
            this.version = start.modelVersion();
            this.fairness = rule == null ? null
                    : start.fairness() != null ? start.fairness() : rule.initial(train.info().numClasses());
        }

        public boolean hasNext() {
            return epoch < cfg.optimisation().epochs();
        }

        /** Trains the next batch. */
        public StepDone next() {
            if (!hasNext()) {
                throw new NoSuchElementException("all " + cfg.optimisation().epochs() + " epochs are trained");
            }
            if (plan == null) {
                plan = Subsets.epochBatches(train.size(), cfg.optimisation().batchSize(), cfg.data().seed(), epoch);
                attack.epochStart(epoch, plan, batch, version, rule == null ? null : fairEpoch());
            }
            float lr = schedule.lr(epoch);
            StepDone done = step(lr);
            for (TrainingListener l : listeners) {
                l.stepDone(done);
            }
            if (++batch == plan.length) {
                lastEpochLoss = lossCount == 0 ? Float.NaN : (float) (lossSum / lossCount);
                for (TrainingListener l : listeners) {
                    l.epochDone(done);
                }
                lossSum = 0;
                lossCount = 0;
                batch = 0;
                plan = null;
                epoch++;
            }
            return done;
        }

        /**
         * The fairness rule before an epoch: measure the model on the validation split and move the multipliers
         * (unless a resume state already holds this epoch's), then train the epoch with their class weights and
         * budgets; returns the budgets, for the attack half.
         */
        private List<Float> fairEpoch() {
            if (fairness.epoch() < epoch) {
                if (validation == null) {
                    validation = loadValidation(cfg);
                }
                ClassValidation v = rule.measure(f, validation, cfg.optimisation().batchSize(),
                        Seeds.validation(cfg.data().seed(), epoch));
                fairness = rule.update(fairness, v, epoch);
                long[] passes = rule.passes(validation.size());
                cost = cost.plusValidation(passes[0], passes[1]);
            }
            current = rule.method(method, fairness);
            return rule.classEps(fairness);
        }

        /** One batch in its own sub-manager, closed afterwards so memory stays flat. */
        private StepDone step(float lr) {
            int[] rows = plan[batch];
            try (NDManager m = f.manager().newSubManager()) {
                NDArray x = train.images(m, rows);
                NDArray y = train.labels(m, rows);
                long start = System.nanoTime();
                AttackHalf.Attacked a = attack.attack(new AttackHalf.Batch(epoch, batch, rows, x, y, m,
                        Seeds.step(cfg.data().seed(), epoch, batch), version));
                long t1 = System.nanoTime();
                StepResult r;
                // the engine check may run on another thread of a service: one gradient collector at a time
                synchronized (GradientLock.LOCK) {
                    r = current.train(f, optimizer, x, y, a.output(), lr, epoch);
                }
                long t2 = System.nanoTime();
                long staleness = version - a.attackVersion();
                cost = cost.plus(r, (t2 - t1) / 1e9);
                if (r.stepped()) {
                    version++;
                    lossSum += r.loss();
                    lossCount++;
                }
                stepsDone++;
                attack.stepped(epoch, batch, version);
                double secs = (System.nanoTime() - t0) / 1e9;
                return new StepDone(epoch, cfg.optimisation().epochs(), batch, plan.length,
                        (long) epoch * plan.length + batch, stepsDone, version, staleness, lr, r,
                        lossCount == 0 ? null : lossSum / lossCount, cost.examplesSeen() / secs,
                        new StepDone.Times(start, t1, t2, System.nanoTime()), costSoFar(epoch + 1), fairness);
            }
        }

        /**
         * Runs the remaining batches; the result's cost counts this object's batches, with the wall and CPU time
         * since it was made (the same interval for both).
         */
        public Result run() {
            while (hasNext()) {
                next();
            }
            return new Result(costSoFar(cfg.optimisation().epochs()), lastEpochLoss);
        }

        /** The counts so far with the wall and CPU time since this object was made. */
        private TrainingCost costSoFar(int epochs) {
            Double cpu = TrainingCost.processCpuSeconds();
            return cost.withTime(epochs, (System.nanoTime() - t0) / 1e9,
                    cpu0 == null || cpu == null ? null : cpu - cpu0).on(CpuModel.current());
        }

        /** Counts and the two halves' times so far (no wall time: {@link #run} adds it). */
        public TrainingCost cost() {
            return cost;
        }

        /** Mean loss over the last finished epoch's stepped batches (NaN before one is finished). */
        public float lastEpochLoss() {
            return lastEpochLoss;
        }

        /** The optimizer, whose momentum a resume state holds. */
        public SgdMomentum optimizer() {
            return optimizer;
        }

        /** The model version so far: one per optimizer step taken. */
        public long version() {
            return version;
        }

        @Override
        public void close() {
            optimizer.clear();
        }
    }
}
