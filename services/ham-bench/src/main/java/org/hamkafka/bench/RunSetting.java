package org.hamkafka.bench;

import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The options the experiment and the sweep share (picocli mixin): data, model, training length, attack
 * budget, seeds, and how to treat runs that already have a report. Both default to the same setting, so
 * the sweep's runs are comparable with the experiment's table.
 */
final class RunSetting {
    /** The job settings both take (options made from PartialConfig), with the experiment's defaults. */
    @Mixin
    SettingsMixin settings = SettingsMixin.of("dataset", "dataDir", "model", "trainSubset", "testSubset", "epochs", "eps",
                    "lr", "device", "steps")
            .defaults(p -> {
                p.dataset = "fashion-mnist";
                p.model = Experiment.DEFAULT_MODEL;
                p.trainSubset = 20000;
                p.testSubset = 0;
                p.epochs = 5;
                p.device = "cpu";
                p.steps = 10;
            }).note("eps", "alpha = eps/4");
    /** No defaultValue attribute: picocli would let it override the initial value the sweep sets (2). */
    @Option(names = "--seeds", description = "number of seeds, from --first-seed (default ${DEFAULT-VALUE})")
    int seeds = 3;
    @Option(names = "--first-seed", defaultValue = "0")
    long firstSeed;
    @Option(names = "--design", defaultValue = "branch",
            description = "branch: a run starts from the seed's PGD-AT trunk of its warm-up's epochs (trained once, kept in "
                    + "<out>/trunk-…), so runs differ only after it — the experiment branches every method from the "
                    + "--warmup-epochs trunk, the sweep each HAM setting from its warm-up's; scratch: every run trains all "
                    + "epochs from a fresh model (default ${DEFAULT-VALUE})")
    Branches.Design design;
    @Option(names = "--resume", description = "skip runs whose report.json exists")
    boolean resume;
    @Option(names = "--aggregate-only", description = "only rebuild the table from existing report.json files")
    boolean aggregateOnly;
    @Option(names = "--partial", description = "with --aggregate-only: runs not trained yet are left out (and listed) "
            + "instead of an error, for the table of an experiment still under way")
    boolean partial;
    /** The exit code of a process stopped by --run-per-process with runs left. */
    static final int MORE_RUNS = 75;
    @Option(names = "--run-per-process", description = "stop with exit code " + MORE_RUNS + " after each run this "
            + "process trained or evaluated, so that the next starts in a fresh process: training after an AutoAttack "
            + "evaluation in the same process ran at half speed (scripts/experiment.sh sets it and starts the next "
            + "with --resume)")
    boolean runPerProcess;

    /** The settings' values (given, else the defaults above, else null: the data set's). */
    PartialConfig values() {
        return settings.values();
    }

    /** The dataset's defaults with these options applied, for one seed. */
    TrainConfig config(long seed) {
        return TrainConfig.defaults(values().dataset).with(p -> {
            settings.applyTo(p);
            p.alpha = null;
            p.fastAlpha = null;
            p.seed = seed;
        });
    }

    void checkSeeds(Object command) {
        if (seeds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(command), "--seeds must be >= 1; got " + seeds);
        }
        if (partial && !aggregateOnly) {
            throw new CommandLine.ParameterException(new CommandLine(command), "--partial goes with --aggregate-only");
        }
        if (partial && !(command instanceof Experiment)) {
            throw new CommandLine.ParameterException(new CommandLine(command), "--partial is the experiment's option");
        }
    }

    String trainExamples() {
        return values().trainSubset == 0 ? "all" : String.valueOf(values().trainSubset);
    }

    String testExamples() {
        return values().testSubset == 0 ? "all" : String.valueOf(values().testSubset);
    }

    long lastSeed() {
        return firstSeed + seeds - 1;
    }
}
