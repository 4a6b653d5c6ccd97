package org.hamkafka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetNotFoundException;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.eval.ModelCard;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.eval.ReportTable;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The command line: {@code train} ({@link TrainCommand}), {@code eval}
 * (evaluate a saved model.npz), {@code export} (its weights for PyTorch, {@link ExportCommand}) and
 * {@code compare} (ρ of one report against a baseline report).
 * Impossible settings stop with a message naming the setting and exit code 2.
 */
@Command(name = "ham", mixinStandardHelpOptions = true, version = "ham 0.1",
        description = "HAM adversarial training and class-wise robust-fairness evaluation",
        subcommands = {TrainCommand.class, HamCli.Eval.class, ExportCommand.class, HamCli.Compare.class})
public final class HamCli implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 failure, 2 bad settings). */
    public static int run(String... args) {
        return run(null, args);
    }

    /** As {@link #run(String...)}, with error messages going to {@code err} (null: standard error). */
    public static int run(java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new HamCli());
        SettingOptions.addTo(cl.getSubcommands().get("train").getCommandSpec());
        SettingOptions.addTo(cl.getSubcommands().get("eval").getCommandSpec());
        // scripts put their defaults first; an option given again by the user wins
        cl.setOverwrittenOptionsAllowed(true);
        if (err != null) {
            cl.setErr(err);
        }
        // failures at run time (missing data, unreadable files): one clear line, exit code 1
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is needed: train, eval or compare");
    }

    static TrainConfig validated(CommandSpec spec, PartialConfig options) {
        try {
            return options.resolve().validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
        }
    }

    static Dataset[] load(CommandSpec spec, TrainConfig cfg, boolean needTrain) {
        try {
            Dataset test = TrainingRun.loadTest(cfg);
            Dataset train = needTrain ? TrainingRun.loadTrain(cfg) : null;
            return new Dataset[]{train, test};
        } catch (DatasetNotFoundException e) {
            throw new IllegalStateException("data set not found: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            String fix = cfg.dataset().equals(Datasets.FASHION_MNIST)
                    ? "Reinstall it (apt-get install --reinstall dataset-fashion-mnist) or point --data-dir at good files"
                    : "Replace it with the data set's original files (" + String.join(", ",
                    Datasets.expectedFiles(cfg.dataset())) + ") or point --data-dir at good ones";
            throw new IllegalStateException("data set " + cfg.dataset()
                    + " could not be read (corrupt or truncated file?): " + e.getMessage() + ". " + fix, e);
        }
    }

    static ClassWiseReport evaluate(TrainConfig cfg, Classifier f, Dataset test) {
        ClassWiseEvaluator ev = new ClassWiseEvaluator(
                cfg.evaluationAttacks(),
                    cfg.optimisation().batchSize());
        try (ProgressBar pb = bar("evaluate", test.size())) {
            return ev.evaluate(f, test, done -> pb.stepTo(done));
        }
    }

    /** The model card's file name, beside the report. */
    static final String CARD = "model-card.json";
    /** The card as a RobustBench leaderboard entry ({@code model_info}), beside it. */
    static final String MODEL_INFO = "robustbench-model-info.json";

    static ProgressBar bar(String task, long total) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build();
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluate a saved model.npz class-wise and write eval-report.json and model-card.json; the model "
                    + "comes from model.json beside the weights (settings as for train: --dataset, --eps, --eval-attacks, ...)")
    static final class Eval implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--weights", required = true, description = "model.npz written by train")
        Path weights;
        @Option(names = "--out", description = "where to write the report (default: eval-report.json next to the weights)")
        Path out;

        @Override
        public Integer call() throws IOException {
            if (!Files.isReadable(weights)) {
                throw new ParameterException(spec.commandLine(), "--weights: cannot read " + weights);
            }
            // model.json beside the weights names the architecture and the data set they were trained on
            Path infoFile = CheckpointInfo.besides(weights);
            PartialConfig options = SettingOptions.read(spec);
            CheckpointInfo info = null;
            if (Files.isReadable(infoFile)) {
                try {
                    info = CheckpointInfo.read(infoFile);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
                if (options.model == null) {
                    options.model = info.architecture();
                } else if (!options.model.equals(info.architecture())) {
                    throw new ParameterException(spec.commandLine(), "--model " + options.model + ": " + infoFile
                            + " says these weights are " + info.architecture());
                }
                if (options.dataset == null) {
                    options.dataset = info.dataset(); // another --dataset is refused by checkMatches below
                }
            }
            TrainConfig cfg = validated(spec, options);
            Dataset test = load(spec, cfg, false)[1];
            if (info != null) {
                try {
                    info.checkMatches(test.info());
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage() + " (" + infoFile + ")");
                }
            }
            try (InputStream in = Files.newInputStream(weights);
                 Classifier f = Classifier.fromNpz(cfg.model(), test.info(), Devices.resolve(cfg.runtime().device()),
                         in)) {
                // the report and the card name the method the weights were trained with, not --method's default
                String method = info != null && info.trainedMethod() != null ? info.trainedMethod() : cfg.method();
                TrainConfig trained = cfg.with(p -> p.method = method);
                ClassWiseReport eval = evaluate(cfg, f, test);
                Report report = Report.of(trained, eval, null);
                Path dir = weights.toAbsolutePath().getParent();
                Path file = out != null ? out : dir.resolve("eval-report.json");
                report.write(file);
                Path card = file.toAbsolutePath().getParent().resolve(CARD);
                ModelCard mc = ModelCard.of(ModelCard.Subject.of(dir.getFileName() == null ? "model"
                        : dir.getFileName().toString(), trained), eval);
                mc.write(card);
                Files.writeString(card.resolveSibling(MODEL_INFO), mc.robustBenchJson());
                System.out.println(ReportTable.format(report));
                System.out.println("wrote " + file + ", " + card + " and " + card.resolveSibling(MODEL_INFO));
            }
            return 0;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "ρ = (worst_new - worst_base)/worst_base - (avg_base - avg_new)/avg_base of two reports")
    static final class Compare implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "baseline report.json")
        Path baseline;
        @Parameters(index = "1", description = "new report.json")
        Path candidate;
        @Option(names = "--attack", description = "attack whose robust accuracy is compared (default: the reports' headline attack)")
        String attack;

        @Override
        public Integer call() {
            Report base = read(baseline);
            Report cand = read(candidate);
            String a = attack != null ? attack : base.attack();
            FairnessMetrics mb = metrics(base, a, baseline);
            FairnessMetrics mc = metrics(cand, a, candidate);
            System.out.printf(Locale.ROOT, "%-10s %10s %10s%n", "", "baseline", "new");
            System.out.printf(Locale.ROOT, "%-10s %10.4f %10.4f%n", "average", mb.average(), mc.average());
            System.out.printf(Locale.ROOT, "%-10s %10.4f %10.4f%n", "worst", mb.worst(), mc.worst());
            System.out.printf(Locale.ROOT, "rho (%s) = %.4f%n", a == null ? "clean" : a, mc.rhoAgainst(mb));
            return 0;
        }

        private Report read(Path p) {
            try {
                return Report.read(p);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new ParameterException(spec.commandLine(), p + ": " + e.getMessage());
            }
        }

        private FairnessMetrics metrics(Report r, String a, Path p) {
            if (a == null) {
                return r.cleanAccuracy();
            }
            try {
                return r.robust(a);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), p + ": " + e.getMessage());
            }
        }
    }

}
