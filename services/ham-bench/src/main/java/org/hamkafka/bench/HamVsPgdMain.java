package org.hamkafka.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.core.attack.EarlyDropPgd;
import org.hamkafka.core.attack.EarlyDropResult;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainingRun;
import org.hamkafka.core.train.WeightedLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * HAM vs PGD-AT wall time in one JVM: same data subset, model, seed and machine. Both start from the
 * same weights — optionally pre-trained by PGD-AT for a few untimed epochs, which stands for HAM's
 * warm-up phase (a random network misclassifies nearly everything, so nothing would be dropped) — and
 * are then trained for the same number of timed epochs with {@link TrainingRun}. Reports seconds per
 * epoch, totals, the ratio, the measured passes, and what the ratio means for a whole run with the
 * paper's warm-up share (50 of 120 epochs of PGD-AT).
 *
 * <p>By default the two runs are stepped in turn, batch by batch ({@link TrainingRun.Steps}; which goes
 * first alternates), so that both meet the same machine: on a shared 2-core VM the same work took 30 to 85 s
 * from one minute to the next, which no ratio of two runs one after the other survives. Each run's weights
 * are those it would have alone (TrainingRunTest). {@code --no-interleave} runs them one after the other.
 */
@Command(name = "ham-vs-pgd", mixinStandardHelpOptions = true,
        description = "Train PGD-AT and HAM on the same subset in one JVM and compare wall time.")
public final class HamVsPgdMain implements Callable<Integer> {
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin settings = SettingsMixin.of("dataset", "dataDir", "model", "trainSubset", "epochs", "weighting", "seed")
            .defaults(p -> {
                p.dataset = "fashion-mnist";
                p.model = "smallcnn";
                p.trainSubset = 2560;
                p.epochs = 2;
                p.weighting = true;
                p.seed = 0L;
            }).note("epochs", "timed epochs per method");
    @Option(names = "--pretrain-epochs", defaultValue = "1",
            description = "untimed PGD-AT epochs both start from (default ${DEFAULT-VALUE})")
    int pretrainEpochs;
    @Option(names = "--warmup-share", defaultValue = "0.4167",
            description = "share of a whole run spent in PGD-AT warm-up, for the extrapolated ratio (default 50/120)")
    double warmupShare;
    @Option(names = "--interleave", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "step the two runs in turn, batch by batch (default ${DEFAULT-VALUE}); else PGD-AT, then HAM")
    boolean interleave;
    @Option(names = "--calibration-rounds", defaultValue = "5",
            description = "rounds timing each pass kind after the runs (default ${DEFAULT-VALUE})")
    int calibrationRounds;
    @Option(names = "--out", defaultValue = "bench-results/ham-vs-pgd", description = "output prefix (.md, .json)")
    String out;

    private String[] args = new String[0];

    public static void main(String[] args) {
        HamVsPgdMain m = new HamVsPgdMain();
        m.args = args;
        System.exit(new CommandLine(m).execute(args));
    }

    /** Seconds of each epoch, from the progress callback, and the minor page faults the run took (-1 off Linux). */
    record Timed(String method, List<Double> epochSeconds, TrainingCost cost, long pageFaults) {
        double total() {
            return epochSeconds.stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /** One run from the start weights, timed per epoch by the progress callback. */
    private static Timed alone(TrainingRun run, Classifier start, Dataset train) {
        try (Classifier f = run.newModel(train)) {
            f.copyWeightsFrom(start);
            List<Double> perEpoch = new ArrayList<>();
            long[] t = {System.nanoTime()};
            long faults = PageFaults.minor();
            TrainingRun.Result r = run.train(f, train, TrainingListener.onStep(p -> {
                if (p.batch() == p.batches() - 1) {
                    long now = System.nanoTime();
                    perEpoch.add((now - t[0]) / 1e9);
                    t[0] = now;
                    System.err.printf(Locale.ROOT, "%s epoch %d: %.1f s, last batch drop rate %.2f%n",
                            run.config().method(), p.epoch(), perEpoch.get(perEpoch.size() - 1), p.dropRate());
                }
            }));
            return new Timed(run.config().method(), perEpoch, r.cost(), faults < 0 ? -1 : PageFaults.minor() - faults);
        }
    }

    /** The runs stepped in turn, batch by batch, the first to go alternating; each batch timed on its own. */
    private static List<Timed> interleaved(List<TrainingRun> runs, Classifier start, Dataset train) {
        List<Classifier> models = new ArrayList<>();
        List<TrainingRun.Steps> steps = new ArrayList<>();
        try {
            List<List<Double>> perEpoch = new ArrayList<>();
            for (TrainingRun run : runs) {
                Classifier f = run.newModel(train);
                models.add(f);
                f.copyWeightsFrom(start);
                steps.add(run.steps(f, train));
                perEpoch.add(new ArrayList<>());
            }
            double[] epochSeconds = new double[runs.size()];
            long[] faults = new long[runs.size()];
            for (int turn = 0; steps.get(0).hasNext(); turn++) {
                for (int j = 0; j < runs.size(); j++) {
                    int i = (turn + j) % runs.size();
                    long t0 = System.nanoTime();
                    long f0 = PageFaults.minor();
                    StepDone p = steps.get(i).next();
                    epochSeconds[i] += (System.nanoTime() - t0) / 1e9;
                    faults[i] = f0 < 0 ? -1 : faults[i] + PageFaults.minor() - f0;
                    if (p.batch() == p.batches() - 1) {
                        perEpoch.get(i).add(epochSeconds[i]);
                        System.err.printf(Locale.ROOT, "%s epoch %d: %.1f s, last batch drop rate %.2f%n",
                                runs.get(i).config().method(), p.epoch(), epochSeconds[i], p.dropRate());
                        epochSeconds[i] = 0;
                    }
                }
            }
            List<Timed> out = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                List<Double> e = perEpoch.get(i);
                TrainingCost c = steps.get(i).cost();
                out.add(new Timed(runs.get(i).config().method(), e,
                        c.withTime(e.size(), e.stream().mapToDouble(Double::doubleValue).sum(), null), faults[i]));
            }
            return out;
        } finally {
            steps.forEach(TrainingRun.Steps::close);
            models.forEach(Classifier::close);
        }
    }

    /**
     * Seconds per row of each kind of pass the two methods spend, at the full batch and at HAM's mean hard batch
     * (rows left after the drop): an attack gradient step (forward + input backward + ascent; from a K-step PGD
     * call, per row and step), a no-gradient forward, and a training step (forward + backward + SGD); and HAM's
     * whole attack on the batch with and without v, and the minor page faults each took (-1 off Linux). Each the
     * median of {@code reps} rounds after one warm-up round; within a round the kinds run in turn, so that they meet
     * the same machine.
     */
    record Calibration(int full, int hard, double gradFull, double gradHard, double forwardFull, double forwardHard,
                       double trainFull, double trainHard, double earlyDropWithV, double earlyDropWithoutV,
                       long extraForwardRowsOfV, long faultsWithV, long faultsWithoutV) {
        /** Attack seconds these costs predict for a run's counted rows (HAM: K' full-batch steps, then the hard rows). */
        double attack(TrainingCost c, int dropStep, boolean ham, boolean weighted) {
            if (!ham) {
                return gradFull * c.attackBackwardRows() + forwardFull * (c.attackForwardRows() - c.attackBackwardRows());
            }
            long gradAtFull = c.examplesSeen() * dropStep;
            long forwardAtFull = c.examplesSeen() * (weighted ? 2 : 1); // the clean forward (v) and the one at K'
            long forwardNoGrad = c.attackForwardRows() - c.attackBackwardRows();
            return gradFull * gradAtFull + gradHard * (c.attackBackwardRows() - gradAtFull)
                    + forwardFull * forwardAtFull + forwardHard * (forwardNoGrad - forwardAtFull);
        }

        double train(TrainingCost c, boolean ham) {
            return (ham ? trainHard : trainFull) * c.trainForwardRows();
        }
    }

    static Calibration calibrate(Classifier f, Dataset train, TrainConfig cfg, int hard, int reps) {
        int full = cfg.optimisation().batchSize();
        int[] rows = Subsets.epochBatches(train.size(), full, cfg.data().seed(), 0)[0];
        double[][] perRow = new double[10][reps];
        long[] extraRows = new long[1];
        EarlyDropPgd withV = new EarlyDropPgd(cfg.threat().eps(), cfg.threat().alpha(), cfg.threat().steps(),
                cfg.ham().dropStep(), cfg.threat().threatNorm(), cfg.ham().variationOnLogits());
        EarlyDropPgd withoutV = withV.withoutVariation();
        SgdMomentum sgd = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
        // K steps per call, as the attacks run them: a one-step call would charge the call's own setup (start, copies)
        // to a single step
        int k = cfg.threat().steps();
        Pgd pgd = new Pgd(cfg.threat().eps(), cfg.threat().alpha(), k, cfg.threat().threatNorm(), true, 0);
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = train.images(m, rows);
            NDArray y = train.labels(m, rows);
            NDArray xh = x.get("0:" + hard);
            NDArray yh = y.get("0:" + hard);
            // round -1 warms up, round 0 overwrites its figures: the first calls at these shapes also grow the
            // allocator's heaps (fresh pages), which is not what a pass costs
            for (int round = -1; round < reps; round++) {
                int r = Math.max(round, 0);
                perRow[0][r] = timePerRow(full * k, () -> pgd.perturb(f, x, y, null).close());
                perRow[1][r] = timePerRow(hard * k, () -> pgd.perturb(f, xh, yh, null).close());
                perRow[2][r] = timePerRow(full, () -> noGradForward(f, x));
                perRow[3][r] = timePerRow(hard, () -> noGradForward(f, xh));
                perRow[4][r] = timePerRow(full, () -> WeightedLoss.step(f, sgd, x, y, null, 0f));
                perRow[5][r] = timePerRow(hard, () -> WeightedLoss.step(f, sgd, xh, yh, null, 0f));
                // HAM's whole attack on the batch with and without v (seconds per batch, not per row)
                long[] fwd = new long[2];
                long f0 = PageFaults.minor();
                perRow[6][r] = timePerRow(1, () -> fwd[0] = closed(withV.attack(f, x, y, null)).stats().forwardRows());
                long f1 = PageFaults.minor();
                perRow[7][r] = timePerRow(1,
                        () -> fwd[1] = closed(withoutV.attack(f, x, y, null)).stats().forwardRows());
                long f2 = PageFaults.minor();
                perRow[8][r] = f0 < 0 ? -1 : f1 - f0;
                perRow[9][r] = f0 < 0 ? -1 : f2 - f1;
                extraRows[0] = fwd[0] - fwd[1];
            }
        } finally {
            sgd.clear();
        }
        double[] med = new double[perRow.length];
        for (int i = 0; i < perRow.length; i++) {
            double[] v = perRow[i].clone();
            java.util.Arrays.sort(v);
            med[i] = v[v.length / 2];
        }
        return new Calibration(full, hard, med[0], med[1], med[2], med[3], med[4], med[5], med[6], med[7], extraRows[0],
                Math.round(med[8]), Math.round(med[9]));
    }

    private static EarlyDropResult closed(EarlyDropResult r) {
        if (r.hardAdversarial() != null) {
            r.hardAdversarial().close();
        }
        return r;
    }

    private static void noGradForward(Classifier f, NDArray x) {
        f.requireParameterGradients(false);
        try (NDArray logits = f.logits(x, false)) {
            logits.toFloatArray();
        } finally {
            f.requireParameterGradients(true);
        }
    }

    private static double timePerRow(int rows, Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9 / rows;
    }

    /** The pass cost in forward-pass equivalents, by §2's one rule ({@link PassAccounting.Rows#cost()}). */
    static double passCost(TrainingCost c) {
        return PassAccounting.Rows.of(c).cost();
    }

    @Override
    public Integer call() throws Exception {
        PartialConfig job = settings.values();
        if (job.epochs < 1 || pretrainEpochs < 0 || !(warmupShare >= 0 && warmupShare < 1) || calibrationRounds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--epochs must be >= 1, --pretrain-epochs >= 0, --warmup-share in [0, 1), --calibration-rounds >= 1");
        }
        TrainConfig base = TrainConfig.defaults(job.dataset).with(p -> {
            p.dataDir = job.dataDir;
            p.model = job.model;
            p.device = "cpu";
            p.trainSubset = job.trainSubset;
            p.seed = job.seed;
            p.warmupEpochs = 0;
            p.weighting = job.weighting;
        });
        TrainConfig pgdCfg = base.with(p -> {
            p.method = "pgd-at";
            p.epochs = job.epochs;
        }).validate();
        TrainConfig hamCfg = base.with(p -> {
            p.method = "ham";
            p.epochs = job.epochs;
        }).validate();
        Dataset train = TrainingRun.loadTrain(pgdCfg);
        List<Timed> results = new ArrayList<>();
        Calibration calibration;
        TrainingRun pgdRun = new TrainingRun(pgdCfg);
        try (Classifier start = pgdRun.newModel(train)) {
            if (pretrainEpochs > 0) {
                TrainConfig pre = base.with(p -> {
                    p.method = "pgd-at";
                    p.epochs = pretrainEpochs;
                }).validate();
                System.err.printf(Locale.ROOT, "pre-training (untimed): PGD-AT, %d epoch(s), %d examples%n",
                        pretrainEpochs, train.size());
                new TrainingRun(pre).train(start, train);
            }
            List<TrainingRun> runs = List.of(pgdRun, new TrainingRun(hamCfg));
            if (interleave) {
                results.addAll(interleaved(runs, start, train));
            } else {
                for (TrainingRun run : runs) {
                    results.add(alone(run, start, train));
                }
            }
            TrainingCost hamCost = results.get(1).cost();
            int hard = (int) Math.max(1, Math.round((double) hamCost.examplesTrained() / Math.max(1, hamCost.optimizerSteps())));
            System.err.printf(Locale.ROOT, "calibrating the pass kinds at batch %d and %d ...%n",
                    pgdCfg.optimisation().batchSize(), hard);
            calibration = calibrate(start, train, pgdCfg, hard, calibrationRounds);
        }
        Timed pgd = results.get(0);
        Timed ham = results.get(1);
        double ratio = ham.total() / pgd.total();
        double wholeRun = warmupShare + (1 - warmupShare) * ratio;
        String command = BenchIo.command(HamVsPgdMain.class, args);
        String machine = MachineInfo.current().describe();
        StringBuilder md = new StringBuilder("# HAM vs PGD-AT wall time (one JVM)\n\n");
        md.append("Machine: ").append(machine).append("  \nCommand: `").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s, %d training examples, batch %d, eps %.3f, K %d, K' %d, HAM %s; both "
                        + "start from the same weights (%d untimed PGD-AT epochs); %d timed epochs each, %s.%n%n",
                job.dataset, job.model, train.size(), pgdCfg.optimisation().batchSize(), pgdCfg.threat().eps(), pgdCfg.threat().steps(), hamCfg.ham().dropStep(),
                job.weighting ? "weighted" : "uniform", pretrainEpochs, job.epochs,
                interleave ? "stepped in turn batch by batch (the first alternating)" : "PGD-AT first, then HAM"));
        md.append("| method | s/epoch (each) | total s | attack half s | training half s | attack fwd rows | attack bwd rows "
                + "| train rows | examples dropped | pass cost | minor page faults |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Timed t : results) {
            TrainingCost c = t.cost();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %d | %d | %d | %d | %.0f | %d |%n",
                    t.method(),
                    String.join(", ", t.epochSeconds().stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).toList()),
                    t.total(), c.attackSeconds(), c.trainSeconds(), c.attackForwardRows(), c.attackBackwardRows(),
                    c.trainForwardRows(), c.examplesDropped(), passCost(c), t.pageFaults()));
        }
        TrainingCost hc = ham.cost();
        TrainingCost pc = pgd.cost();
        double passRatio = passCost(hc) / passCost(pc);
        double attackWall = hc.attackSeconds() / pc.attackSeconds();
        double attackPasses = (double) (hc.attackForwardRows() + hc.attackBackwardRows())
                / (pc.attackForwardRows() + pc.attackBackwardRows());
        double trainWall = hc.trainSeconds() / pc.trainSeconds();
        double trainRows = (double) hc.trainForwardRows() / pc.trainForwardRows();
        md.append(String.format(Locale.ROOT, "%nHAM / PGD-AT wall time: %.3f (saving %.1f %%); pass cost: %.3f; "
                + "wall / pass: %.3f.  %n", ratio, 100 * (1 - ratio), passRatio, ratio / passRatio));
        md.append(String.format(Locale.ROOT, "By half, HAM / PGD-AT: attack wall %.3f against its passes %.3f (%.3f); "
                + "training wall %.3f against its rows %.3f (%.3f).  %n", attackWall, attackPasses, attackWall / attackPasses,
                trainWall, trainRows, trainWall / trainRows));
        Calibration k = calibration;
        int dropStep = hamCfg.ham().dropStep();
        double predictedHam = k.attack(hc, dropStep, true, job.weighting) + k.train(hc, true);
        double predictedPgd = k.attack(pc, dropStep, false, job.weighting) + k.train(pc, false);
        md.append(String.format(Locale.ROOT, "%nWhat a row of each pass kind cost after the runs (ms per row, median of %d rounds after a warm-up one; "
                        + "batch %d | HAM's mean hard batch %d): attack gradient step %.3f | %.3f, no-gradient forward %.3f | %.3f, "
                        + "training step %.3f | %.3f.  %n", calibrationRounds, k.full(), k.hard(), 1e3 * k.gradFull(),
                1e3 * k.gradHard(), 1e3 * k.forwardFull(), 1e3 * k.forwardHard(), 1e3 * k.trainFull(), 1e3 * k.trainHard()));
        md.append(String.format(Locale.ROOT, "With these costs the counted rows predict HAM %.1f s, PGD-AT %.1f s: a ratio of "
                        + "**%.3f** against the wall's %.3f (the pass cost, every row alike: %.3f).%n",
                predictedHam, predictedPgd, predictedHam / predictedPgd, ratio, passRatio));
        md.append(String.format(Locale.ROOT, "%nWhat v costs: HAM's attack on one batch of %d (no random start; median of %d, after a warm-up) "
                        + "took %.0f ms measuring v and %.0f ms without it (%.2f×), for %d more forward rows — %.3f ms per row, "
                        + "against %.3f ms for a row of a no-gradient forward alone; minor page faults per attack: %d with v, "
                        + "%d without (-1: not counted here).%n", k.full(), calibrationRounds,
                1e3 * k.earlyDropWithV(), 1e3 * k.earlyDropWithoutV(), k.earlyDropWithV() / k.earlyDropWithoutV(),
                k.extraForwardRowsOfV(), 1e3 * (k.earlyDropWithV() - k.earlyDropWithoutV()) / Math.max(1, k.extraForwardRowsOfV()),
                1e3 * k.forwardFull(), k.faultsWithV(), k.faultsWithoutV()));
        md.append(String.format(Locale.ROOT, "For a whole run whose first %.0f %% is PGD-AT warm-up: %.3f (saving %.1f %%); "
                + "the paper reports about 46 %% less time.%n", 100 * warmupShare, wholeRun, 100 * (1 - wholeRun)));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("command", command);
        json.put("settings", hamCfg);
        json.put("pretrain_epochs", pretrainEpochs);
        for (Timed t : results) {
            json.put(t.method(), Map.of("epoch_seconds", t.epochSeconds(), "total_seconds", t.total(), "cost", t.cost(),
                    "minor_page_faults", t.pageFaults()));
        }
        json.put("interleaved", interleave);
        json.put("ratio_ham_over_pgd_at", ratio);
        json.put("pass_cost_ratio", passRatio);
        json.put("attack_wall_ratio", attackWall);
        json.put("attack_pass_ratio", attackPasses);
        json.put("train_wall_ratio", trainWall);
        json.put("train_rows_ratio", trainRows);
        json.put("calibration", calibration);
        json.put("calibrated_ratio", predictedHam / predictedPgd);
        json.put("whole_run_ratio", wholeRun);
        json.put("warmup_share", warmupShare);
        BenchIo.write(Path.of(out + ".md"), md.toString());
        BenchIo.write(Path.of(out + ".json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        System.out.print(md);
        return 0;
    }
}
