package org.hamkafka.bench;

import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What an evaluation attack costs: a model trained briefly with PGD-AT (AutoAttack's cost falls with the
 * robust accuracy, so an untrained model would flatter it), then every listed attack on the same
 * class-balanced test subset, reported as passes (forward / backward example-rows) and seconds per 1000
 * test examples, with the robust accuracy each one measured.
 */
@Command(name = "autoattack-cost", mixinStandardHelpOptions = true,
        description = "Passes and seconds per 1000 test examples of PGD-20, each of AutoAttack's four attacks alone and "
                + "its standard version")
public final class AutoAttackCostMain implements Callable<Integer> {
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin settings = SettingsMixin.of("model", "trainSubset", "epochs", "testSubset")
            .defaults(p -> {
                p.model = "tiny-cnn";
                p.trainSubset = 4000;
                p.epochs = 2;
                p.testSubset = 1000;
            }).note("trainSubset", "PGD-AT's training examples").note("epochs", "PGD-AT's epochs before measuring")
            .note("testSubset", "the test examples attacked");
    @Option(names = "--attacks", split = ",", defaultValue = "pgd-20,apgd-ce,apgd-t,fab-t,square,autoattack-standard",
            description = "default ${DEFAULT-VALUE}")
    List<String> attacks;
    @Option(names = "--out", defaultValue = "bench-results/autoattack-cost.md")
    Path out;

    private String[] args = new String[0];

    public static void main(String[] args) {
        AutoAttackCostMain m = new AutoAttackCostMain();
        m.args = args;
        System.exit(new CommandLine(m).execute(args));
    }

    @Override
    public Integer call() {
        PartialConfig job = settings.values();
        attacks.forEach(EvaluationAttacks::check);
        TrainConfig cfg = TrainConfig.defaults().with(p -> {
            p.model = job.model;
            p.method = "pgd-at";
            p.epochs = job.epochs;
            p.trainSubset = job.trainSubset;
            p.testSubset = job.testSubset;
            p.lr = 0.01f;
            p.seed = 0L;
            p.evalAttacks = attacks;
        })
                .validate();
        Dataset train = TrainingRun.loadTrain(cfg);
        Dataset test = TrainingRun.loadTest(cfg);
        TrainingRun run = new TrainingRun(cfg);
        StringBuilder md = new StringBuilder("# Evaluation attack cost\n\nMachine: " + MachineInfo.current().describe()
                + "  \nCommand: `" + BenchIo.reproducing(BenchIo.command(AutoAttackCostMain.class, args)) + "`  \n");
        try (Classifier f = run.newModel(train)) {
            TrainingRun.Result r = run.train(f, train);
            md.append(String.format(Locale.ROOT, "Model: %s trained with PGD-AT for %d epochs on %d examples (%.0f s); "
                    + "attacks on %d class-balanced test examples, eps %.3f, batch %d.%n%n", job.model, job.epochs, train.size(),
                    r.cost().seconds(), test.size(), cfg.threat().eps(), cfg.optimisation().batchSize()));
            md.append("| attack | settings | robust avg | forward rows / 1000 | backward rows / 1000 | s / 1000 |\n"
                    + "| --- | --- | ---: | ---: | ---: | ---: |\n");
            for (String name : attacks) {
                // one attack per evaluation, so that each one's seconds are its own
                ClassWiseReport e = new ClassWiseEvaluator(EvaluationAttacks.create(List.of(name), cfg.threat().eps(),
                        cfg.threat().threatNorm(), 0), cfg.optimisation().batchSize()).evaluate(f, test);
                ClassWiseReport.AttackInfo info = e.attackInfo().values().iterator().next();
                double per = 1000.0 / test.size();
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f %% | %,.0f | %,.0f | %.1f |%n", name,
                        info.settings(), 100 * e.robust(e.headline()).average(), info.forwardRows() * per,
                        info.backwardRows() * per, info.seconds() * per));
                System.err.println("done " + name);
            }
        }
        BenchIo.write(out, md.toString());
        System.out.print(md);
        return 0;
    }
}
