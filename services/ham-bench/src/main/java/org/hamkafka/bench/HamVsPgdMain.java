package org.hamkafka.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.hamkafka.core.train.TrainingRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
 */
@Command(name = "ham-vs-pgd", mixinStandardHelpOptions = true,
        description = "Train PGD-AT and HAM on the same subset in one JVM and compare wall time.")
public final class HamVsPgdMain implements Callable<Integer> {
    @Option(names = "--dataset", defaultValue = "fashion-mnist")
    String dataset;
    @Option(names = "--data-dir")
    String dataDir;
    @Option(names = "--model", defaultValue = "smallcnn", description = "default ${DEFAULT-VALUE}")
    String model;
    @Option(names = "--train-subset", defaultValue = "2560", description = "class-balanced subset (default ${DEFAULT-VALUE})")
    int trainSubset;
    @Option(names = "--pretrain-epochs", defaultValue = "1",
            description = "untimed PGD-AT epochs both start from (default ${DEFAULT-VALUE})")
    int pretrainEpochs;
    @Option(names = "--epochs", defaultValue = "2", description = "timed epochs per method (default ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--weighting", defaultValue = "true", negatable = true, fallbackValue = "true", description = "HAM weights (default ${DEFAULT-VALUE})")
    boolean weighting;
    @Option(names = "--seed", defaultValue = "0")
    long seed;
    @Option(names = "--warmup-share", defaultValue = "0.4167",
            description = "share of a whole run spent in PGD-AT warm-up, for the extrapolated ratio (default 50/120)")
    double warmupShare;
    @Option(names = "--out", defaultValue = "bench-results/ham-vs-pgd", description = "output prefix (.md, .json)")
    String out;

    private String[] args = new String[0];

    public static void main(String[] args) {
        HamVsPgdMain m = new HamVsPgdMain();
        m.args = args;
        System.exit(new CommandLine(m).execute(args));
    }

    /** Seconds of each epoch, from the progress callback. */
    record Timed(String method, List<Double> epochSeconds, TrainingCost cost) {
        double total() {
            return epochSeconds.stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || pretrainEpochs < 0 || !(warmupShare >= 0 && warmupShare < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--epochs must be >= 1, --pretrain-epochs >= 0, --warmup-share in [0, 1)");
        }
        TrainConfig base = TrainConfig.defaults(dataset).with(p -> {
            p.dataDir = dataDir;
            p.model = model;
            p.device = "cpu";
            p.trainSubset = trainSubset;
            p.seed = seed;
            p.warmupEpochs = 0;
            p.weighting = weighting;
        });
        TrainConfig pgdCfg = base.with(p -> {
            p.method = "pgd-at";
            p.epochs = epochs;
        }).validate();
        TrainConfig hamCfg = base.with(p -> {
            p.method = "ham";
            p.epochs = epochs;
        }).validate();
        Dataset train = TrainingRun.loadTrain(pgdCfg);
        List<Timed> results = new ArrayList<>();
        TrainingRun pgdRun = new TrainingRun(pgdCfg);
        try (Classifier start = pgdRun.newModel(train)) {
            if (pretrainEpochs > 0) {
                TrainConfig pre = base.with(p -> {
            p.method = "pgd-at";
            p.epochs = pretrainEpochs;
        }).validate();
                System.err.printf(Locale.ROOT, "pre-training (untimed): PGD-AT, %d epoch(s), %d examples%n",
                        pretrainEpochs, train.size());
                new TrainingRun(pre).train(start, train, null);
            }
            for (TrainingRun run : List.of(pgdRun, new TrainingRun(hamCfg))) {
                try (Classifier f = run.newModel(train)) {
                    f.copyWeightsFrom(start);
                    List<Double> perEpoch = new ArrayList<>();
                    long[] t = {System.nanoTime()};
                    TrainingRun.Result r = run.train(f, train, p -> {
                        if (p.batch() == p.batches() - 1) {
                            long now = System.nanoTime();
                            perEpoch.add((now - t[0]) / 1e9);
                            t[0] = now;
                            System.err.printf(Locale.ROOT, "%s epoch %d: %.1f s, last batch drop rate %.2f%n",
                                    run.config().method(), p.epoch(), perEpoch.get(perEpoch.size() - 1), p.dropRate());
                        }
                    });
                    results.add(new Timed(run.config().method(), perEpoch, r.cost()));
                }
            }
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
                        + "start from the same weights (%d untimed PGD-AT epochs); %d timed epochs each, PGD-AT first.%n%n",
                dataset, model, train.size(), pgdCfg.optimisation().batchSize(), pgdCfg.threat().eps(), pgdCfg.threat().steps(), hamCfg.ham().dropStep(),
                weighting ? "weighted" : "uniform", pretrainEpochs, epochs));
        md.append("| method | s/epoch (each) | total s | attack fwd rows | attack bwd rows | train rows | examples dropped |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Timed t : results) {
            TrainingCost c = t.cost();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %d | %d | %d | %d |%n", t.method(),
                    String.join(", ", t.epochSeconds().stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).toList()),
                    t.total(), c.attackForwardRows(), c.attackBackwardRows(), c.trainForwardRows(), c.examplesDropped()));
        }
        md.append(String.format(Locale.ROOT, "%nHAM / PGD-AT wall time: %.3f (saving %.1f %%).  %n", ratio, 100 * (1 - ratio)));
        md.append(String.format(Locale.ROOT, "For a whole run whose first %.0f %% is PGD-AT warm-up: %.3f (saving %.1f %%); "
                + "the paper reports about 46 %% less time.%n", 100 * warmupShare, wholeRun, 100 * (1 - wholeRun)));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("command", command);
        json.put("settings", hamCfg);
        json.put("pretrain_epochs", pretrainEpochs);
        for (Timed t : results) {
            json.put(t.method(), Map.of("epoch_seconds", t.epochSeconds(), "total_seconds", t.total(), "cost", t.cost()));
        }
        json.put("ratio_ham_over_pgd_at", ratio);
        json.put("whole_run_ratio", wholeRun);
        json.put("warmup_share", warmupShare);
        BenchIo.write(Path.of(out + ".md"), md.toString());
        BenchIo.write(Path.of(out + ".json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        System.out.print(md);
        return 0;
    }
}
