package org.hamkafka.bench;

import org.hamkafka.core.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options the experiment and the sweep share (picocli mixin): data, model, training length, attack
 * budget, seeds, and how to treat runs that already have a report. Both default to the same setting, so
 * the sweep's runs are comparable with the experiment's table.
 */
final class RunSetting {
    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "default ${DEFAULT-VALUE}")
    String dataset;
    @Option(names = "--data-dir", description = "folder of the data files (default: the data set's usual place)")
    String dataDir;
    @Option(names = "--model", defaultValue = Experiment.DEFAULT_MODEL, description = "default ${DEFAULT-VALUE}")
    String model;
    /** No defaultValue attribute: picocli would let it override the initial value the sweep sets (2). */
    @Option(names = "--seeds", description = "number of seeds, from --first-seed (default ${DEFAULT-VALUE})")
    int seeds = 3;
    @Option(names = "--first-seed", defaultValue = "0")
    long firstSeed;
    @Option(names = "--train-subset", defaultValue = "20000", description = "class-balanced training examples, 0 = all 60000 (default ${DEFAULT-VALUE})")
    int trainSubset;
    @Option(names = "--test-subset", defaultValue = "0", description = "class-balanced test examples, 0 = all 10000 (default ${DEFAULT-VALUE})")
    int testSubset;
    @Option(names = "--epochs", defaultValue = "5", description = "default ${DEFAULT-VALUE}")
    int epochs;
    @Option(names = "--eps", description = "perturbation budget (default: the data set's, 0.1 for Fashion-MNIST, 8/255 "
            + "for CIFAR-10); alpha = eps/4")
    Float eps;
    @Option(names = "--lr", description = "base learning rate of the piecewise schedule (default: the data set's, 0.01 "
            + "for Fashion-MNIST, 0.1 for CIFAR-10)")
    Float lr;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--steps", defaultValue = "10", description = "K (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--resume", description = "skip runs whose report.json exists")
    boolean resume;
    @Option(names = "--aggregate-only", description = "only rebuild the table from existing report.json files")
    boolean aggregateOnly;
    @Option(names = "--partial", description = "with --aggregate-only: runs not trained yet are left out (and listed) "
            + "instead of an error, for the table of an experiment still under way")
    boolean partial;

    /** The dataset's defaults with these options applied, for one seed. */
    TrainConfig config(long seed) {
        return TrainConfig.defaults(dataset).with(p -> {
            p.dataDir = dataDir;
            p.model = model;
            if (eps != null) {
                p.eps = eps;
            }
            if (lr != null) {
                p.lr = lr;
            }
            p.alpha = null;
            p.fastAlpha = null;
            p.steps = steps;
            p.epochs = epochs;
            p.trainSubset = trainSubset;
            p.testSubset = testSubset;
            p.seed = seed;
            p.device = device;
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
        return trainSubset == 0 ? "all" : String.valueOf(trainSubset);
    }

    String testExamples() {
        return testSubset == 0 ? "all" : String.valueOf(testSubset);
    }

    long lastSeed() {
        return firstSeed + seeds - 1;
    }
}
