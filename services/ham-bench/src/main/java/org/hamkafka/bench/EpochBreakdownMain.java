package org.hamkafka.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.attack.RandomStart;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
import org.hamkafka.core.train.WeightedLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Where an in-process PGD-AT epoch's time goes: the epoch's batches as
 * {@link TrainingRun} trains them, each split into its pieces — gathering the batch, the random start,
 * the PGD attack, the training forward, its backward, the SGD update — with a read-back after each so that
 * PyTorch's asynchronous work is charged to the piece that queued it. Then PGD alone, repeated on the first
 * batch (what the attack bench times), so that the epoch's attack can be set against it in one JVM.
 * The pieces are ham-core's own calls in PGD-AT's order; {@code TrainingCost}'s attack and training halves
 * (in every report) are the coarse form of the same split.
 */
@Command(name = "epoch", mixinStandardHelpOptions = true,
        description = "Time the pieces of an in-process PGD-AT epoch, then PGD alone on one batch.")
public final class EpochBreakdownMain implements Callable<Integer> {
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin settings = SettingsMixin.of("model", "trainSubset", "dataDir")
            .defaults(p -> {
                p.model = "smallcnn";
                p.trainSubset = 2048;
            });
    @Option(names = "--repeats", defaultValue = "3", description = "PGD calls alone on the first batch (default ${DEFAULT-VALUE})")
    int repeats;
    @Option(names = "--out", defaultValue = "bench-results/epoch-breakdown", description = "output prefix (.md)")
    String out;

    private String[] args = new String[0];

    public static void main(String[] args) {
        EpochBreakdownMain m = new EpochBreakdownMain();
        m.args = args;
        System.exit(new CommandLine(m).execute(args));
    }

    private static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Adds the faults since {@code f0} to piece i; returns the count now, the next piece's start. */
    private static long faultsInto(long[] faults, int i, long f0) {
        long now = PageFaults.minor();
        faults[i] = f0 < 0 || now < 0 ? -1 : faults[i] + now - f0;
        return now;
    }

    @Override
    public Integer call() throws Exception {
        PartialConfig job = settings.values();
        if (job.trainSubset < 1 || repeats < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--train-subset and --repeats must be >= 1");
        }
        TrainConfig cfg = TrainConfig.defaults("fashion-mnist").with(p -> {
            p.model = job.model;
            p.dataDir = job.dataDir;
            p.device = "cpu";
            p.trainSubset = job.trainSubset;
            p.method = "pgd-at";
            p.epochs = 1;
            p.warmupEpochs = 0;
        }).validate();
        float eps = cfg.threat().eps();
        float alpha = cfg.threat().alpha();
        int steps = cfg.threat().steps();
        int batchSize = cfg.optimisation().batchSize();
        Dataset train = TrainingRun.loadTrain(cfg);
        TrainingRun run = new TrainingRun(cfg);
        String[] pieces = {"batch", "start", "attack", "train forward", "train backward", "sgd update"};
        double[] sum = new double[pieces.length];
        long[] faults = new long[pieces.length]; // minor page faults per piece over the epoch (-1 off Linux)
        double all = 0;
        int[][] plan = Subsets.epochBatches(train.size(), batchSize, cfg.data().seed(), 0);
        StringBuilder rows = new StringBuilder();
        try (Classifier f = run.newModel(train)) {
            SgdMomentum sgd = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
            float lr = cfg.optimisation().schedule().lr(0);
            for (int b = 0; b < plan.length; b++) {
                double[] t = new double[pieces.length];
                long tb = System.nanoTime();
                long batchFaults = PageFaults.minor();
                long f0 = batchFaults;
                try (NDManager m = f.manager().newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray x = train.images(m, plan[b]);
                    NDArray y = train.labels(m, plan[b]);
                    t[0] = since(t0);
                    f0 = faultsInto(faults, 0, f0);
                    t0 = System.nanoTime();
                    long[] ids = new long[plan[b].length];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = plan[b][i];
                    }
                    NDArray start = RandomStart.uniform(m, b, ids, x.getShape().slice(1), eps);
                    start.toFloatArray();
                    t[1] = since(t0);
                    f0 = faultsInto(faults, 1, f0);
                    t0 = System.nanoTime();
                    NDArray adv = new Pgd(eps, alpha, steps, Norm.LINF, true, b).perturb(f, x, y, start);
                    adv.toFloatArray();
                    t[2] = since(t0);
                    f0 = faultsInto(faults, 2, f0);
                    try (NDManager scope = m.newSubManager()) {
                        t0 = System.nanoTime();
                        sgd.zeroGradients(f);
                        f.requireParameterGradients(true);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray in = adv.stopGradient();
                            in.attach(scope);
                            NDArray loss = WeightedLoss.crossEntropy(f.logits(in, true), y).mean();
                            loss.attach(scope);
                            loss.getFloat();
                            t[3] = since(t0);
                            f0 = faultsInto(faults, 3, f0);
                            t0 = System.nanoTime();
                            gc.backward(loss);
                            f.block().getParameters().get(0).getValue().getArray().getGradient().toFloatArray();
                            t[4] = since(t0);
                            f0 = faultsInto(faults, 4, f0);
                        }
                        t0 = System.nanoTime();
                        sgd.step(f, lr);
                        t[5] = since(t0);
                        faultsInto(faults, 5, f0);
                    }
                }
                double whole = since(tb);
                rows.append(String.format(Locale.ROOT, "| %d | %.3f |", b, whole));
                for (int i = 0; i < t.length; i++) {
                    rows.append(String.format(Locale.ROOT, " %.3f |", t[i]));
                    sum[i] += t[i];
                }
                long batchFaultsNow = PageFaults.minor();
                rows.append(String.format(Locale.ROOT, " %d |%n", batchFaults < 0 ? -1 : batchFaultsNow - batchFaults));
                all += whole;
                System.err.printf(Locale.ROOT, "batch %d/%d: %.2f s (attack %.2f s)%n", b + 1, plan.length, whole, t[2]);
            }
            sgd.clear();
            double[] alone = new double[repeats];
            long aloneFaults = PageFaults.minor();
            try (NDManager m = f.manager().newSubManager()) {
                NDArray x = train.images(m, plan[0]);
                NDArray y = train.labels(m, plan[0]);
                for (int i = 0; i < repeats; i++) {
                    long t0 = System.nanoTime();
                    try (NDArray adv = new Pgd(eps, alpha, steps, Norm.LINF, true, i).perturb(f, x, y, null)) {
                        adv.toFloatArray();
                    }
                    alone[i] = since(t0);
                }
            }
            aloneFaults = aloneFaults < 0 ? -1 : (PageFaults.minor() - aloneFaults) / repeats;
            return report(cfg, plan, pieces, sum, all, rows, alone, faults, aloneFaults);
        }
    }

    private int report(TrainConfig cfg, int[][] plan, String[] pieces, double[] sum, double all, StringBuilder rows,
                       double[] alone, long[] faults, long aloneFaults) {
        String command = BenchIo.command(EpochBreakdownMain.class, args);
        String machine = MachineInfo.current().describe();
        int n = plan.length;
        double aloneMin = java.util.Arrays.stream(alone).min().orElseThrow();
        double aloneMedian = java.util.Arrays.stream(alone).sorted().toArray()[alone.length / 2];
        StringBuilder md = new StringBuilder("# Where an in-process PGD-AT epoch's time goes\n\n");
        md.append("Machine: ").append(machine).append("  \nCommand: `").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "fashion-mnist, %s, %d examples, %d batches of %d, PGD-%d (eps %.3f, alpha %.4f); "
                        + "seconds, each piece read back before the next starts.%n%n", cfg.model(), cfg.data().trainSubset(), n,
                cfg.optimisation().batchSize(), cfg.threat().steps(), cfg.threat().eps(), cfg.threat().alpha()));
        md.append("| batch | whole |");
        for (String p : pieces) {
            md.append(' ').append(p).append(" |");
        }
        md.append(" minor page faults |\n| ---: | ---: |").append(" ---: |".repeat(pieces.length + 1)).append('\n')
                .append(rows);
        md.append(String.format(Locale.ROOT, "| **epoch** | **%.1f** |", all));
        double inPieces = 0;
        for (int i = 0; i < sum.length; i++) {
            md.append(String.format(Locale.ROOT, " %.1f |", sum[i]));
            inPieces += sum[i];
        }
        md.append(" – |"); // per piece below
        md.append(String.format(Locale.ROOT, "%n%nPer batch: %.2f s, of which the attack %.2f s, the training step %.2f s "
                        + "(forward %.2f, backward %.2f, SGD %.3f), batch and start %.3f s, outside the pieces %.3f s.  %n",
                all / n, sum[2] / n, (sum[3] + sum[4] + sum[5]) / n, sum[3] / n, sum[4] / n, sum[5] / n,
                (sum[0] + sum[1]) / n, (all - inPieces) / n));
        md.append(String.format(Locale.ROOT, "PGD-%d alone on batch 0, %d calls after the epoch: median %.2f s, min %.2f s; "
                        + "the epoch's attack per batch is %.3f of the median.%n", cfg.threat().steps(), alone.length,
                aloneMedian, aloneMin, sum[2] / n / aloneMedian));
        md.append("\nMinor page faults per batch (pages the kernel handed out afresh; -1: not counted here):");
        for (int i = 0; i < pieces.length; i++) {
            md.append(String.format(Locale.ROOT, " %s %d%s", pieces[i], faults[i] < 0 ? -1 : faults[i] / n,
                    i < pieces.length - 1 ? "," : ""));
        }
        md.append(String.format(Locale.ROOT, "; PGD-%d alone %d per call.%n", cfg.threat().steps(), aloneFaults));
        BenchIo.write(Path.of(out + ".md"), md.toString());
        System.out.print(md);
        return 0;
    }
}
