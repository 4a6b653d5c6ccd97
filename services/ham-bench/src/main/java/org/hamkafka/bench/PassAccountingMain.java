package org.hamkafka.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.attack.EarlyDropPgd;
import org.hamkafka.core.attack.EarlyDropResult;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.attack.RandomStart;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
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
 * Pass accounting on real batches: a model (briefly adversarially trained, so that the drop rate is
 * realistic) is attacked by {@link EarlyDropPgd} on batches of the test split; each batch's
 * {@link AttackStats} is checked against {@link PassAccounting#earlyDrop} and compared with what the
 * reference code and plain PGD-AT spend on the same batch. PGD-K is timed on the same batches too.
 */
@Command(name = "passes", mixinStandardHelpOptions = true,
        description = "Forward/backward batch-rows per HAM batch: this implementation vs the reference code vs PGD-AT.")
public final class PassAccountingMain implements Callable<Integer> {
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin settings = SettingsMixin.of("dataset", "dataDir", "model", "batchSize", "seed")
            .defaults(p -> {
                p.dataset = "fashion-mnist";
                p.model = "smallcnn";
                p.batchSize = 128;
                p.seed = 0L;
            }).note("batchSize", "N, the rows of each attacked test batch");
    @Option(names = "--batches", defaultValue = "4", description = "test batches attacked (default ${DEFAULT-VALUE})")
    int batches;
    @Option(names = "--pretrain-method", defaultValue = "pgd-at",
            description = "how the model is trained first (default ${DEFAULT-VALUE})")
    String pretrainMethod;
    @Option(names = "--pretrain-epochs", defaultValue = "1", description = "0 = random model (default ${DEFAULT-VALUE})")
    int pretrainEpochs;
    @Option(names = "--pretrain-subset", defaultValue = "2000", description = "training examples (default ${DEFAULT-VALUE})")
    int pretrainSubset;
    @Option(names = "--time-pgd", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "also time PGD-K on the same batches (default ${DEFAULT-VALUE})")
    boolean timePgd;
    @Option(names = "--out", defaultValue = "bench-results/passes", description = "output prefix (.md, .json)")
    String out;

    private String[] args = new String[0];

    public static void main(String[] args) {
        PassAccountingMain m = new PassAccountingMain();
        m.args = args;
        System.exit(new CommandLine(m).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PartialConfig job = settings.values();
        TrainConfig cfg = TrainConfig.defaults(job.dataset).with(p -> {
            p.dataDir = job.dataDir;
            p.model = job.model;
            p.method = pretrainMethod;
            p.epochs = Math.max(1, pretrainEpochs);
            p.trainSubset = pretrainSubset;
            p.seed = job.seed;
            p.device = "cpu";
            p.warmupEpochs = 0;
        }).validate();
        if (batches < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--batches must be >= 1; got " + batches);
        }
        TrainingRun run = new TrainingRun(cfg);
        Dataset test = TrainingRun.loadTest(cfg);
        int K = cfg.threat().steps();
        int kDrop = cfg.ham().dropStep();
        List<Map<String, Object>> rows = new ArrayList<>();
        PassAccounting.Rows ours = PassAccounting.Rows.zero();
        PassAccounting.Rows refUniform = PassAccounting.Rows.zero();
        PassAccounting.Rows refWeighted = PassAccounting.Rows.zero();
        PassAccounting.Rows pgdAt = PassAccounting.Rows.zero();
        double edMillis = 0;
        double pgdMillis = 0;
        int mismatches = 0;
        try (Classifier f = run.newModel(test)) {
            if (pretrainEpochs > 0) {
                Dataset train = TrainingRun.loadTrain(cfg);
                System.err.printf(Locale.ROOT, "pre-training %s with %s for %d epoch(s) on %d examples%n", job.model,
                        pretrainMethod, pretrainEpochs, train.size());
                run.train(f, train);
            }
            EarlyDropPgd ed = new EarlyDropPgd(cfg.threat().eps(), cfg.threat().alpha(), K, kDrop, Norm.LINF, false);
            Pgd pgd = new Pgd(cfg.threat().eps(), cfg.threat().alpha(), K, Norm.LINF, true, job.seed);
            int[] order = Subsets.permutation(test.size(), job.seed);
            int nb = Math.min(batches, test.size() / job.batchSize);
            for (int b = 0; b < nb; b++) {
                int[] idx = java.util.Arrays.copyOfRange(order, b * job.batchSize, (b + 1) * job.batchSize);
                try (NDManager m = f.manager().newSubManager()) {
                    NDArray x = test.images(m, idx);
                    NDArray y = test.labels(m, idx);
                    long[] ids = java.util.Arrays.stream(idx).asLongStream().toArray();
                    NDArray start = RandomStart.uniform(m, job.seed, ids, x.getShape().slice(1), cfg.threat().eps());
                    EarlyDropResult r = ed.attack(f, x, y, start);
                    AttackStats s = r.stats();
                    int n = s.examplesKept();
                    PassAccounting.Rows measured = PassAccounting.measured(s);
                    PassAccounting.Rows expected = PassAccounting.earlyDrop(job.batchSize, n, K, kDrop);
                    boolean agrees = measured.equals(expected);
                    if (!agrees) {
                        mismatches++;
                    }
                    double pgdMs = Double.NaN;
                    if (timePgd) {
                        long t0 = System.nanoTime();
                        pgd.perturb(f, x, y, start).close();
                        pgdMs = (System.nanoTime() - t0) / 1e6;
                        pgdMillis += pgdMs;
                    }
                    edMillis += s.millis();
                    PassAccounting.Rows ru = PassAccounting.reference(job.batchSize, n, K, kDrop, false);
                    PassAccounting.Rows rw = PassAccounting.reference(job.batchSize, n, K, kDrop, true);
                    PassAccounting.Rows pa = PassAccounting.pgdAt(job.batchSize, K);
                    ours = ours.plus(measured);
                    refUniform = refUniform.plus(ru);
                    refWeighted = refWeighted.plus(rw);
                    pgdAt = pgdAt.plus(pa);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("batch", b);
                    row.put("examples_in", s.examplesIn());
                    row.put("hard", n);
                    row.put("ours", measured);
                    row.put("formula_agrees", agrees);
                    row.put("reference_uniform", ru);
                    row.put("reference_weighted", rw);
                    row.put("pgd_at", pa);
                    row.put("early_drop_ms", s.millis());
                    row.put("pgd_ms", pgdMs);
                    rows.add(row);
                    System.err.printf(Locale.ROOT, "batch %d: %d of %d hard, ours fwd %d bwd %d (formula %s)%n", b, n,
                            job.batchSize, measured.forward(), measured.backward(), agrees ? "agrees" : "DIFFERS");
                    if (r.hardAdversarial() != null) {
                        r.hardAdversarial().close();
                    }
                }
            }
        }
        String command = BenchIo.command(PassAccountingMain.class, args);
        String machine = MachineInfo.current().describe();
        StringBuilder md = new StringBuilder("# Pass accounting: HAM batch vs reference code vs PGD-AT\n\n");
        md.append("Machine: ").append(machine).append("  \nCommand: `").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s pre-trained %d epoch(s) with %s on %d examples; %d test batches of "
                        + "N = %d; eps %.3f, K = %d, K' = %d.%n%n", job.dataset, job.model, pretrainEpochs, pretrainMethod,
                pretrainSubset, rows.size(), job.batchSize, cfg.threat().eps(), K, kDrop));
        md.append("Rows are batch-rows (a pass over 128 examples counts 128). Cost in forward-pass equivalents: "
                + "forward 1, attack backward 1 (input gradient only), training backward 2.\n\n");
        md.append("| scheme | attack fwd | attack bwd | train fwd | train bwd | all fwd | all bwd | cost | vs PGD-AT |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        appendRow(md, "this implementation (measured AttackStats)", ours, pgdAt);
        appendRow(md, "reference code, uniform", refUniform, pgdAt);
        appendRow(md, "reference code, weighted", refWeighted, pgdAt);
        appendRow(md, "PGD-AT", pgdAt, pgdAt);
        long hard = rows.stream().mapToLong(r -> ((Number) r.get("hard")).longValue()).sum();
        md.append(String.format(Locale.ROOT, "%nHard (kept) examples: %d of %d (drop rate %.3f).  %n", hard,
                (long) rows.size() * job.batchSize, 1 - (double) hard / ((long) rows.size() * job.batchSize)));
        md.append(String.format(Locale.ROOT, "Saving against the reference code: cost ratio %.3f (uniform), %.3f "
                        + "(weighted); against PGD-AT: %.3f.  %n", PassAccounting.costRatio(ours, refUniform),
                PassAccounting.costRatio(ours, refWeighted), PassAccounting.costRatio(ours, pgdAt)));
        md.append(String.format(Locale.ROOT, "Every batch's AttackStats equal the documented formula: %s.  %n",
                mismatches == 0 ? "yes" : "NO (" + mismatches + " batches differ)"));
        if (timePgd) {
            md.append(String.format(Locale.ROOT, "Measured attack time on these batches: early-drop %.0f ms, PGD-%d "
                    + "%.0f ms (ratio %.3f).%n", edMillis, K, pgdMillis, edMillis / pgdMillis));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("command", command);
        json.put("batches", rows);
        json.put("totals", Map.of("ours", ours, "reference_uniform", refUniform, "reference_weighted", refWeighted,
                "pgd_at", pgdAt));
        json.put("cost_ratio_vs_reference_uniform", PassAccounting.costRatio(ours, refUniform));
        json.put("cost_ratio_vs_reference_weighted", PassAccounting.costRatio(ours, refWeighted));
        json.put("cost_ratio_vs_pgd_at", PassAccounting.costRatio(ours, pgdAt));
        json.put("formula_mismatches", mismatches);
        BenchIo.write(Path.of(out + ".md"), md.toString());
        BenchIo.write(Path.of(out + ".json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        System.out.print(md);
        return mismatches == 0 ? 0 : 1;
    }

    private static void appendRow(StringBuilder md, String name, PassAccounting.Rows r, PassAccounting.Rows base) {
        md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %.0f | %.3f |%n", name,
                r.attackForward(), r.attackBackward(), r.trainForward(), r.trainBackward(), r.forward(), r.backward(),
                r.cost(), PassAccounting.costRatio(r, base)));
    }
}
