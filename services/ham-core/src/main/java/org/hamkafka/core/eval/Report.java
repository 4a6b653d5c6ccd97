package org.hamkafka.core.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hamkafka.core.model.CpuModel;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a run as a small JSON document (in the spirit of a RobustBench model card): data
 * set, method, model, threat model, clean and robust accuracy with their fairness aggregates and
 * per-class values, the robust accuracy under every other evaluation attack, the measured training
 * cost and every setting.
 *
 * @param reportVersion  4: {@code autoattack-standard} is AutoAttack's standard version (APGD-CE, APGD-T, FAB-T,
 *                       Square); before 4 it was the APGD part alone, read back as {@code autoattack-apgd}; 3:
 *                       {@code settings} snake_case like the rest; 2: {@code settings} camelCase; 2 and later:
 *                       the headline is the worst case over all attacks; 1, or absent: the first attack
 * @param attack         the headline robust evaluation: {@code worst-case} over several attacks, else the only one
 * @param robustAccuracy robust accuracy under {@code attack}
 * @param robustAccuracyByAttack robust accuracy under each evaluation (attacks, ensemble stages, worst case)
 * @param attacks        per attack: its settings, passes and seconds (the numbers' provenance)
 * @param trainingCost   null for a report of a model evaluated without training
 * @param settings       every setting of the run, as {@code POST /jobs} takes them (no data folder or device:
 *                       those are the machine's, see {@code run})
 * @param run            when the report was made and on which device (null in reports of version 1 or 2)
 * @param overConfident  per attack that returns adversarial examples, per class (aligned with {@code classes}):
 *                       the share of test examples whose adversarial example gives the true class a higher
 *                       probability than the clean one (the paper's over-confident AEs); absent in older reports
 * @param warnings       the evaluation's failed {@link SanityChecks}, one sentence each; absent when all passed and in
 *                       older reports (both read as none: {@link #warnings()} is never null)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(@JsonProperty("report_version") int reportVersion, String dataset, String method, String model, float eps, String attack, List<String> classes,
                     @JsonProperty("test_examples") long testExamples,
                     @JsonProperty("clean_accuracy") FairnessMetrics cleanAccuracy,
                     @JsonProperty("robust_accuracy") FairnessMetrics robustAccuracy,
                     @JsonProperty("robust_accuracy_by_attack") Map<String, FairnessMetrics> robustAccuracyByAttack,
                     Map<String, ClassWiseReport.AttackInfo> attacks,
                     @JsonProperty("training_cost") TrainingCost trainingCost,
                     PartialConfig settings,
                     Run run,
                     @JsonProperty("over_confident") Map<String, double[]> overConfident,
                     @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {

    public Report {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A report without sanity warnings. */
    public Report(int reportVersion, String dataset, String method, String model, float eps, String attack,
                  List<String> classes, long testExamples, FairnessMetrics cleanAccuracy,
                  FairnessMetrics robustAccuracy, Map<String, FairnessMetrics> robustAccuracyByAttack,
                  Map<String, ClassWiseReport.AttackInfo> attacks, TrainingCost trainingCost, PartialConfig settings,
                  Run run, Map<String, double[]> overConfident) {
        this(reportVersion, dataset, method, model, eps, attack, classes, testExamples, cleanAccuracy, robustAccuracy,
                robustAccuracyByAttack, attacks, trainingCost, settings, run, overConfident, List.of());
    }

    /**
     * When and where the report was made, and by which code.
     *
     * @param createdAt   ISO-8601 instant
     * @param device      the device the run used: cpu or gpu
     * @param codeVersion the commit ham-core was built from, "-dirty" appended when the tree had changes, or
     *                    "unknown" (built without git); null in a report that does not carry it
     * @param cpu         the CPU the evaluation ran on ({@link CpuModel}; the training's are in the training cost);
     *                    null in a report written before it was recorded
     */
    public record Run(@JsonProperty("created_at") String createdAt, String device,
                      @JsonProperty("code_version") String codeVersion, String cpu) {
        static Run now(TrainConfig cfg) {
            return new Run(java.time.Instant.now().toString(),
                    Devices.resolve(cfg.runtime().device()).getDeviceType(), currentCodeVersion(), CpuModel.current());
        }

        /** From the git.properties the build writes (git-commit-id-maven-plugin, ham-core's pom). */
        public static String currentCodeVersion() {
            try (java.io.InputStream in = Report.class.getResourceAsStream("/org/hamkafka/core/git.properties")) {
                if (in == null) {
                    return "unknown";
                }
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String id = p.getProperty("git.commit.id.abbrev");
                if (id == null || id.isBlank()) {
                    return "unknown";
                }
                return id + ("true".equals(p.getProperty("git.dirty")) ? "-dirty" : "");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }

    /** The settings a report leaves out (the machine's: where the data was read, which device ran). */
    public static final java.util.Set<String> NOT_IN_REPORT = java.util.Set.of("runtime.dataDir", "runtime.device");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static final int VERSION = 4;

    /** Builds the report of an evaluation; its headline (the worst case over the attacks) is the report's. */
    public static Report of(TrainConfig cfg, ClassWiseReport eval, TrainingCost cost) {
        Map<String, FairnessMetrics> byAttack = new LinkedHashMap<>();
        for (String a : eval.attacks()) {
            byAttack.put(a, eval.robust(a));
        }
        String headline = eval.headline();
        return new Report(VERSION, cfg.dataset(), cfg.method(), cfg.model(), cfg.threat().eps(), headline,
                eval.classNames(),
                eval.examples(), eval.clean(), headline == null ? null : byAttack.get(headline), byAttack,
                eval.attackInfo(), cost, PartialConfig.of(cfg).withoutRuntime(), Run.now(cfg),
                eval.overConfidentShares().isEmpty() ? null : eval.overConfidentShares(), eval.warnings());
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Report fromJson(String json) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree instanceof ObjectNode o && o.path("report_version").asInt(1) < 3
                    && o.get("settings") instanceof ObjectNode old) {
                o.set("settings", snakeCase(old));
            }
            if (tree instanceof ObjectNode o && o.path("report_version").asInt(1) < 4) {
                tree = ApgdPart.renamed(o);
            }
            Report r = JSON.treeToValue(tree, Report.class);
            if (r.dataset == null || r.cleanAccuracy == null || r.classes == null) {
                throw new IllegalArgumentException("not a HAM report: 'dataset', 'classes' and 'clean_accuracy' "
                        + "are required");
            }
            return r;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable report JSON: " + e.getMessage(), e);
        }
    }

    /** Settings as versions 1 and 2 wrote them (camelCase names) in today's names. */
    private static ObjectNode snakeCase(ObjectNode old) {
        ObjectNode out = JSON.createObjectNode();
        old.fields().forEachRemaining(e -> out.set(PartialConfig.publicName(e.getKey()), e.getValue()));
        return out;
    }

    public void write(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + file + ": " + e.getMessage(), e);
        }
    }

    public static Report read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read report " + file + ": " + e.getMessage(), e);
        }
    }

    /** The robust accuracy under the named attack. */
    public FairnessMetrics robust(String attackName) {
        FairnessMetrics m = robustAccuracyByAttack == null ? null : robustAccuracyByAttack.get(attackName);
        if (m == null) {
            throw new IllegalArgumentException("report has no robust accuracy under '" + attackName + "'; it has "
                    + (robustAccuracyByAttack == null ? "none" : robustAccuracyByAttack.keySet()));
        }
        return m;
    }
}
