package org.hamkafka.core.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model card in RobustBench's JSON format (its {@code model_info} entries: accuracies as percent
 * strings with two decimals, {@code eps} as a string), with a class-wise extension under
 * {@code class_wise}.
 *
 * <p>{@code autoattack_acc} is the accuracy under AutoAttack's standard version (APGD-CE, APGD-T, FAB-T, Square,
 * as RobustBench quotes it) when it was among the evaluation attacks, else null — also when only its APGD part or
 * the CI-sized preset ran, which the {@code footnote} then names (their numbers stay under {@code class_wise}). {@code reported} is PGD-20's
 * accuracy where it ran, for comparison with results measured by PGD-20 alone. The evaluation's failed
 * {@link SanityChecks} are appended to the {@code footnote} ("Sanity warnings: ..."), the field a reader of the card
 * sees first; nothing is appended when all passed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(String name, String link, String authors,
                        @JsonProperty("additional_data") boolean additionalData,
                        @JsonProperty("number_forward_passes") int numberForwardPasses,
                        String dataset, String venue, String architecture,
                        @JsonProperty("threat_model") String threatModel, String eps,
                        @JsonProperty("clean_acc") String cleanAcc, String reported,
                        @JsonProperty("autoattack_acc") String autoattackAcc,
                        String footnote, boolean unreliable,
                        @JsonProperty("class_wise") ClassWise classWise) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The settings on the card; the others are in the report.json beside it ({@link Report#NOT_IN_REPORT} aside). */
    public static final java.util.Set<String> ON_CARD = java.util.Set.of("data.dataset", "model", "method",
            "threat.norm", "threat.eps");

    /** Who and what the card is about. */
    public record Subject(String name, String dataset, String architecture, String method, String norm, float eps) {
        /** The subject of a run of {@code cfg}: its {@link #ON_CARD} settings. */
        public static Subject of(String name, org.hamkafka.core.train.TrainConfig cfg) {
            return new Subject(name, cfg.dataset(), cfg.model(), cfg.method(), cfg.threat().threatNorm().name(),
                    cfg.threat().eps());
        }
    }

    /**
     * The class-wise extension.
     *
     * @param headline       the robust evaluation {@code robust_acc} and {@code worst_class} refer to
     * @param robust         per-class robust accuracy of every evaluation (attacks, stages, worst case)
     * @param attacks        per attack its settings, passes and seconds
     */
    public record ClassWise(List<String> classes, @JsonProperty("test_examples") long testExamples,
                            String method, @JsonProperty("clean_per_class") double[] cleanPerClass,
                            String headline, @JsonProperty("robust_acc") double robustAcc,
                            @JsonProperty("robust_per_class") Map<String, double[]> robust,
                            @JsonProperty("worst_class") String worstClass,
                            @JsonProperty("worst_class_robust_acc") double worstClassRobustAcc,
                            @JsonProperty("robust_std") double robustStd,
                            @JsonProperty("robust_nstd") double robustNstd,
                            Map<String, ClassWiseReport.AttackInfo> attacks) {
    }

    /** The card of one evaluation. */
    public static ModelCard of(Subject s, ClassWiseReport eval) {
        String headline = eval.headline();
        FairnessMetrics clean = eval.clean();
        Map<String, double[]> robust = new LinkedHashMap<>();
        for (String a : eval.attacks()) {
            robust.put(a, eval.robust(a).perClass());
        }
        // RobustBench's autoattack_acc is the standard version's (APGD-CE, APGD-T, FAB-T, Square), no other preset
        String autoAttack = eval.attackInfo().keySet().stream().filter(ModelCard::isStandardAutoAttack).findFirst()
                .orElse(null);
        String partial = eval.attackInfo().keySet().stream().filter(a -> a.startsWith("autoattack")).findFirst()
                .orElse(null);
        FairnessMetrics head = headline == null ? null : eval.robust(headline);
        String footnote = autoAttack == null && partial != null
                ? "autoattack_acc is null: " + partial + " " + eval.attackInfo().get(partial).settings() + " ran, not "
                + "AutoAttack's standard version; its numbers are under class_wise."
                : autoAttack == null
                ? "Not evaluated with AutoAttack: robust accuracy under " + eval.attackInfo().keySet() + " only."
                : "AutoAttack preset '" + autoAttack + "' " + eval.attackInfo().get(autoAttack).settings()
                + " on " + eval.examples() + " test examples; class-wise numbers under class_wise.";
        if (!eval.warnings().isEmpty()) {
            footnote += " Sanity warnings: " + String.join(" ", eval.warnings());
        }
        ClassWise cw = new ClassWise(eval.classNames(), eval.examples(), s.method(), clean.perClass(), headline,
                head == null ? Double.NaN : head.average(), robust, head == null ? null : head.worstClass(),
                head == null ? Double.NaN : head.worst(), head == null ? Double.NaN : head.std(),
                head == null ? Double.NaN : head.nstd(), eval.attackInfo());
        return new ModelCard(s.name(), null, null, false, 1, s.dataset(), null, s.architecture(),
                s.norm().equalsIgnoreCase("linf") ? "Linf" : "L2", epsAsRobustBench(s.eps()),
                percent(clean.average()), eval.robustConfusion().containsKey("pgd-20") ? percent(eval.robust("pgd-20").average()) : null,
                autoAttack == null ? null : percent(eval.robust(autoAttack).average()), footnote, false, cw);
    }

    /** AutoAttack's standard version, under either norm (not the APGD part alone, not the CI-sized preset). */
    static boolean isStandardAutoAttack(String attack) {
        return attack.equals("autoattack-standard") || attack.equals("autoattack-standard-l2");
    }

    /**
     * eps as RobustBench writes it: {@code "8/255"} when eps is a whole number of 255ths (to float precision),
     * else the shortest decimal that reads back as the same float ({@code "0.1"}, {@code "0.5"}).
     */
    static String epsAsRobustBench(float eps) {
        long k = Math.round(eps * 255.0);
        if (k > 0 && (float) (k / 255.0) == eps) {
            return k + "/255";
        }
        return new java.math.BigDecimal(Float.toString(eps)).stripTrailingZeros().toPlainString();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /** RobustBench's {@code model_info} fields, in its order: what a leaderboard entry holds. */
    public static final List<String> MODEL_INFO_FIELDS = List.of("link", "name", "authors", "additional_data",
            "number_forward_passes", "dataset", "venue", "architecture", "eps", "clean_acc", "reported",
            "autoattack_acc", "footnote", "unreliable");

    /**
     * The card as a RobustBench {@code model_info} entry: exactly {@link #MODEL_INFO_FIELDS}, null where unknown
     * (link, authors, venue; {@code autoattack_acc} when the standard version did not run); no class-wise extension,
     * and the threat model is the leaderboard's folder, not a field.
     */
    public String robustBenchJson() {
        Map<String, Object> all = JSON.convertValue(this, new com.fasterxml.jackson.core.type.TypeReference<>() {
        });
        Map<String, Object> out = new LinkedHashMap<>();
        for (String field : MODEL_INFO_FIELDS) {
            out.put(field, all.get(field));
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a card; one written before {@code autoattack-standard} ran all four attacks reads back with the APGD
     * part under its name ({@link ApgdPart}) and, like every card whose evaluations lack the standard version,
     * a null {@code autoattack_acc} and a footnote that says why.
     */
    public static ModelCard fromJson(String json) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree instanceof ObjectNode card && card.hasNonNull("autoattack_acc") && card.path("class_wise").isObject()) {
                tree = withoutStandardVersion(card);
            }
            return JSON.treeToValue(tree, ModelCard.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable model card: " + e.getMessage(), e);
        }
    }

    /** {@code card} as it reads today when its autoattack_acc did not come from the standard version. */
    private static JsonNode withoutStandardVersion(ObjectNode card) {
        JsonNode attacks = card.path("class_wise").path("attacks");
        java.util.Iterator<Map.Entry<String, JsonNode>> it = attacks.fields();
        boolean old = false;
        boolean standard = false;
        String partial = null;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> a = it.next();
            boolean apgdAsStandard = ApgdPart.writtenAsStandard(a.getKey(), a.getValue().path("settings"));
            old |= apgdAsStandard;
            standard |= isStandardAutoAttack(a.getKey()) && !apgdAsStandard;
            if (partial == null && a.getKey().startsWith("autoattack")) {
                partial = ApgdPart.name(a.getKey());
            }
        }
        if (standard) {
            return card;
        }
        ObjectNode out = old ? (ObjectNode) ApgdPart.renamed(card) : card; // card: fromJson's own tree
        // such cards predate the sanity checks, so their footnote has no warnings to keep
        out.putNull("autoattack_acc");
        out.put("footnote", "autoattack_acc is null: " + (partial == null ? "no AutoAttack preset" : partial)
                + " ran, not AutoAttack's standard version" + (old ? " (the card was written when "
                + "autoattack-standard named the APGD part alone)" : "") + "; its numbers are under class_wise.");
        return out;
    }

    public void write(Path file) {
        try {
            Files.writeString(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model card " + file + ": " + e.getMessage(), e);
        }
    }
}
