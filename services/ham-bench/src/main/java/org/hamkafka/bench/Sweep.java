package org.hamkafka.bench;

import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The (K', warm-up, λ) sweep for HAM: for every seed, one PGD-AT baseline and HAM at every combination of
 * the given early-drop steps, warm-up lengths and λ values (plus uniform weights, where λ plays no part),
 * each evaluated class-wise on the same test set; writes {@code docs/sweep.md} with one row per setting,
 * ranked by how much the worst class's robust accuracy moved against PGD-AT of the same seed.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "HAM over a (K', warm-up, λ) grid against PGD-AT, same seeds; write docs/sweep.md")
public final class Sweep implements Callable<Integer> {
    /** The experiment's setting; only the number of seeds defaults lower (the grid is 24 settings). */
    @CommandLine.Mixin
    RunSetting setting = defaultSetting();

    @Option(names = "--drop-steps", split = ",", defaultValue = "1,3,5", description = "K' values (default ${DEFAULT-VALUE})")
    List<Integer> dropSteps;
    @Option(names = "--warmup-epochs", split = ",", defaultValue = "0,3", description = "warm-up lengths (default ${DEFAULT-VALUE})")
    List<Integer> warmups;
    @Option(names = "--lambdas", split = ",", defaultValue = "-1,-3,-5",
            description = "λ values of the tanh weights; more negative is flatter (default ${DEFAULT-VALUE})")
    List<Float> lambdas;
    @Option(names = "--skip-uniform", description = "leave out uniform weights (by default run at each (K', warm-up))")
    boolean skipUniform;
    @Option(names = "--eval-attack", defaultValue = "pgd-20", description = "the robust evaluation (default ${DEFAULT-VALUE})")
    String evalAttack;
    @Option(names = "--out", defaultValue = "bench-results/sweep", description = "run folders (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--docs", defaultValue = "docs", description = "where sweep.md goes (default ${DEFAULT-VALUE})")
    Path docs;

    private String[] args = new String[0];

    public static void main(String[] args) {
        Sweep s = new Sweep();
        s.args = args;
        System.exit(new CommandLine(s).execute(args));
    }

    /** One HAM setting of the grid; {@code lambda} is NaN for uniform weights. */
    record Setting(int dropStep, int warmup, float lambda) {
        boolean uniform() {
            return Float.isNaN(lambda);
        }

        String label() {
            return String.format(Locale.ROOT, "ham-k%d-w%d-%s", dropStep, warmup,
                    uniform() ? "uniform" : "lambda" + lambda);
        }

        TrainConfig apply(TrainConfig base) {
            return base.with(p -> {
                p.method = "ham";
                p.dropStep = dropStep;
                p.warmupEpochs = warmup;
                p.weighting = !uniform();
                if (!uniform()) {
                    p.lambda = lambda;
                }
            });
        }
    }

    List<Setting> grid() {
        List<Setting> g = new ArrayList<>();
        for (int k : dropSteps) {
            for (int w : warmups) {
                for (float l : lambdas) {
                    g.add(new Setting(k, w, l));
                }
                if (!skipUniform) {
                    g.add(new Setting(k, w, Float.NaN));
                }
            }
        }
        return g;
    }

    private static RunSetting defaultSetting() {
        RunSetting s = new RunSetting();
        s.seeds = 2;
        return s;
    }

    TrainConfig base(long seed) {
        return setting.config(seed).with(p -> p.evalAttacks = List.of(evalAttack));
    }

    /** Whether this process has trained a run (--run-per-process stops after one). */
    private boolean trained;

    @Override
    public Integer call() {
        setting.checkSeeds(this);
        List<Setting> grid = grid();
        for (Setting s : grid) {
            if (s.warmup() > setting.values().epochs) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--warmup-epochs " + s.warmup()
                        + " is longer than --epochs " + setting.values().epochs);
            }
            s.apply(base(setting.firstSeed)).validate();
        }
        String command = BenchIo.reproducing(BenchIo.command(Sweep.class, args));
        MachineInfo machine = MachineInfo.current();
        List<Report> baselines = new ArrayList<>();
        List<List<Report>> runs = new ArrayList<>();
        for (int i = 0; i < grid.size(); i++) {
            runs.add(new ArrayList<>());
        }
        for (long s = setting.firstSeed; s <= setting.lastSeed(); s++) {
            long seed = s;
            TrainConfig base = base(seed);
            baselines.add(run(base.with(p -> p.method = "pgd-at").validate(), "pgd-at", seed, () -> null));
            if (trained && setting.runPerProcess) {
                return RunSetting.MORE_RUNS;
            }
            for (int i = 0; i < grid.size(); i++) {
                Setting g = grid.get(i);
                runs.get(i).add(run(g.apply(base).validate(), g.label(), seed, () -> trunk(base, g.warmup(), seed)));
                if (trained && setting.runPerProcess) {
                    return RunSetting.MORE_RUNS;
                }
            }
        }
        TrainConfig b = base(setting.firstSeed);
        String setup = String.format(Locale.ROOT, "Setup: %s, model %s, %s training examples, %s test examples, "
                        + "%d epochs, batch %d, eps %s, alpha %s, K %d, evaluation %s, seeds %d..%d.", setting.values().dataset,
                setting.values().model, setting.trainExamples(), setting.testExamples(), setting.values().epochs, b.optimisation().batchSize(), b.threat().eps(),
                b.threat().alpha(), setting.values().steps, evalAttack, setting.firstSeed, setting.lastSeed());
        String md = SweepTable.markdown(grid, runs, baselines, evalAttack, machine.describe(), command, setup);
        BenchIo.write(docs.resolve("sweep.md"), md);
        System.out.print(md);
        System.out.println("wrote " + docs.resolve("sweep.md"));
        return 0;
    }

    /** The trunk a setting with {@code warmup} epochs of warm-up branches from, or null (scratch, no warm-up). */
    private Branches.Trunk trunk(TrainConfig base, int warmup, long seed) {
        if (setting.design == Branches.Design.scratch || warmup == 0) {
            return null;
        }
        TrainConfig pgd = base.with(p -> {
            p.method = "pgd-at";
            p.warmupEpochs = warmup;
        }).validate();
        return Branches.trunk(pgd, warmup, out.resolve("trunk-w" + warmup + "-seed" + seed));
    }

    /** Trains the run unless it is done ({@code trunk} asked only then, so a finished sweep trains no trunk). */
    private Report run(TrainConfig cfg, String label, long seed, java.util.function.Supplier<Branches.Trunk> trunk) {
        Path file = out.resolve(label + "-seed" + seed).resolve("report.json");
        if (!setting.aggregateOnly && !(setting.resume && Files.exists(file))) {
            System.err.printf(Locale.ROOT, "== %s%n", label);
            Experiment.runOne(cfg, file, 0, trunk.get());
            trained = true;
        }
        if (!Files.exists(file)) {
            throw new IllegalStateException("missing " + file + " (run without --aggregate-only first)");
        }
        return Report.read(file);
    }
}
