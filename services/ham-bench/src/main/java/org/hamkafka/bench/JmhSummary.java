package org.hamkafka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a JMH JSON result file of {@link AttackBenchmark} and {@link MatmulBenchmark} into the figures
 * the issue asks for: examples×steps per second, drop rate, achieved FLOP/s and its fraction of the
 * measured matmul peak. Written as Markdown (with the machine and the command) and as JSON.
 *
 * <p>FLOP rule: {@code F = Models.flopsPerExample(model, shape)} for a forward row and also for an
 * attack backward row (the gradient flows to the input only; parameter gradients are off), so an
 * attack's work is {@code F × (forwardRows + backwardRows)}. PGD-K: 2·K·F per example.
 */
public final class JmhSummary {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public record MatmulRow(int n, double callsPerSecond, double flopsPerSecond) {
    }

    /**
     * @param exampleStepsPerSecond examples × K (nominal steps) per second, K = {@link AttackBenchmark#K}
     * @param gradientRowsPerSecond attack gradient steps actually taken, in rows per second
     * @param dropRate              fraction of examples dropped at K' (0 for PGD)
     * @param fractionOfPeak        flopsPerSecond / the best matmul FLOP/s (NaN without a matmul result)
     */
    public record AttackRow(String attack, String model, String shape, double callsPerSecond, double callsError,
                            double examplesPerSecond, double exampleStepsPerSecond, double gradientRowsPerSecond,
                            double dropRate, long flopsPerExample, double flopsPerSecond, double fractionOfPeak) {
    }

    public record Summary(String machine, String command, double peakFlopsPerSecond, List<MatmulRow> matmul,
                          List<AttackRow> attacks) {
    }

    private JmhSummary() {
    }

    public static Summary summarize(JsonNode jmhResults, String machine, String command) {
        if (jmhResults == null || !jmhResults.isArray()) {
            throw new IllegalArgumentException("a JMH JSON result file holds an array of results");
        }
        List<MatmulRow> mm = new ArrayList<>();
        for (JsonNode r : jmhResults) {
            if (method(r).equals("matMul")) {
                int n = r.path("params").path("n").asInt();
                double calls = r.path("primaryMetric").path("score").asDouble();
                mm.add(new MatmulRow(n, calls, calls * MatmulBenchmark.flopsPerCall(n)));
            }
        }
        double peak = mm.stream().mapToDouble(MatmulRow::flopsPerSecond).max().orElse(Double.NaN);
        List<AttackRow> attacks = new ArrayList<>();
        for (JsonNode r : jmhResults) {
            String m = method(r);
            boolean attackBenchmark = r.path("benchmark").asText().startsWith(AttackBenchmark.class.getName() + ".");
            if (!attackBenchmark || !m.equals("pgd") && !m.equals("earlyDropPgd")) {
                continue;
            }
            JsonNode p = r.path("params");
            String model = p.path("model").asText();
            String shape = p.path("shape").asText();
            JsonNode sec = r.path("secondaryMetrics");
            double in = sec.path("examplesIn").path("score").asDouble(Double.NaN);
            double kept = sec.path("examplesKept").path("score").asDouble(Double.NaN);
            double fwd = sec.path("forwardRows").path("score").asDouble(Double.NaN);
            double bwd = sec.path("backwardRows").path("score").asDouble(Double.NaN);
            long flops = Models.flopsPerExample(model, Datasets.info(shape));
            double achieved = flops * (fwd + bwd);
            attacks.add(new AttackRow(m.equals("pgd") ? "pgd-" + AttackBenchmark.K
                    : "early-drop-pgd-" + AttackBenchmark.K + "/" + AttackBenchmark.K_DROP, model, shape,
                    r.path("primaryMetric").path("score").asDouble(),
                    r.path("primaryMetric").path("scoreError").asDouble(Double.NaN),
                    in, in * AttackBenchmark.K, bwd, in > 0 ? 1 - kept / in : Double.NaN, flops, achieved,
                    achieved / peak));
        }
        return new Summary(machine, command, peak, mm, attacks);
    }

    public static String toMarkdown(Summary s) {
        StringBuilder b = new StringBuilder();
        b.append(s.attacks().isEmpty() ? "# Matmul peak (JMH)\n\n" : "# Attack throughput (JMH)\n\n");
        b.append("Machine: ").append(s.machine()).append("  \nCommand: `").append(s.command()).append("`\n\n");
        if (!s.attacks().isEmpty()) {
            b.append("Batch ").append(AttackBenchmark.BATCH).append(", K = ").append(AttackBenchmark.K)
                .append(", K' = ").append(AttackBenchmark.K_DROP)
                .append(", random pixels, randomly initialised model, CPU.\n");
        b.append("FLOP rule: forward row = F = Models.flopsPerExample; attack backward row = F (input gradient only, "
                + "parameter gradients off); achieved = F × (forward rows + backward rows) / s.\n\n");
        }
        if (!s.matmul().isEmpty()) {
            b.append("| matmul n×n float32 | calls/s | GFLOP/s |\n| ---: | ---: | ---: |\n");
            for (MatmulRow m : s.matmul()) {
                b.append(String.format(Locale.ROOT, "| %d | %.2f | %.1f |%n", m.n(), m.callsPerSecond(),
                        m.flopsPerSecond() / 1e9));
            }
            b.append(String.format(Locale.ROOT, "%nPeak used below: %.1f GFLOP/s.%n%n", s.peakFlopsPerSecond() / 1e9));
        }
        if (s.attacks().isEmpty()) {
            return b.toString();
        }
        b.append("| attack | model | input | calls/s | examples×steps/s (nominal K) | gradient rows/s | drop rate "
                + "| MFLOP/example | GFLOP/s | of peak |\n");
        b.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (AttackRow a : s.attacks()) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f ± %.3f | %.0f | %.0f | %.2f | %.1f | %.2f | %s |%n",
                    a.attack(), a.model(), a.shape().equals("cifar10") ? "3×32×32" : a.shape().equals("fashion-mnist")
                            ? "1×28×28" : a.shape(), a.callsPerSecond(), a.callsError(), a.exampleStepsPerSecond(),
                    a.gradientRowsPerSecond(), a.dropRate(), a.flopsPerExample() / 1e6, a.flopsPerSecond() / 1e9,
                    Double.isNaN(a.fractionOfPeak()) ? "n/a" : String.format(Locale.ROOT, "%.1f %%",
                            100 * a.fractionOfPeak())));
        }
        b.append("\nThe drop rate of a random model is arbitrary: it says how easily K' steps flip a random network's "
                + "prediction, not how a trained model behaves (see bench.sh passes for a trained one).\n");
        return b.toString();
    }

    private static String method(JsonNode r) {
        String name = r.path("benchmark").asText();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** {@code JmhSummary <jmh-result.json> <out-prefix> <command...>}: writes out-prefix.md and out-prefix.json. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JmhSummary <jmh-result.json> <out-prefix> [command that produced it]");
            System.exit(2);
        }
        JsonNode jmh = JSON.readTree(Files.readString(Path.of(args[0])));
        String command = args.length > 2 ? String.join(" ", List.of(args).subList(2, args.length)) : "(not given)";
        Summary s = summarize(jmh, MachineInfo.current().describe(), command);
        Path md = Path.of(args[1] + ".md");
        if (md.getParent() != null) {
            Files.createDirectories(md.getParent());
        }
        Files.writeString(md, toMarkdown(s));
        Files.writeString(Path.of(args[1] + ".json"), JSON.writeValueAsString(s));
        System.out.print(toMarkdown(s));
    }
}
