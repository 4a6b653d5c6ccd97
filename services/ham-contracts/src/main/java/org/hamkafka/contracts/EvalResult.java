package org.hamkafka.contracts;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluator → anyone ({@link Topics#EVAL_RESULTS}, a public contract): class-wise clean and robust
 * accuracy of one checkpoint, in the shape of a RobustBench model card plus fairness aggregates.
 * Schema version {@value SchemaVersion#EVAL_RESULT}; version 1 ({@link EvalResultV1}) is still read.
 *
 * @param checkpointKey  S3 object key of the evaluated checkpoint
 * @param sha256         hex SHA-256 of the checkpoint bytes
 * @param method         training method of the checkpoint
 * @param model          architecture
 * @param eps            evaluation budget
 * @param norm           the threat model's norm, {@code LINF} or {@code L2} (null in results upgraded from version 1)
 * @param attack         the headline robust evaluation: {@code worst-case} when several attacks ran (an example
 *                       is robust only if it survives all of them), else the one attack, e.g. {@code autoattack-standard}
 * @param classes        class names; per-class arrays are aligned with it
 * @param robustAccuracy robust accuracy under {@code attack}
 * @param robustByAttack every robust evaluation by name, in order, the headline included: each attack
 *                       ({@code pgd-20}, {@code autoattack-standard}), an ensemble's robust accuracy after each
 *                       stage but the last ({@code autoattack-standard:apgd-ce}), and {@code worst-case}
 * @param attacks        per attack (not per stage) the settings, passes and seconds behind its numbers
 *                       (empty in results upgraded from version 1)
 * @param testExamples   test examples evaluated (null in results upgraded from version 1)
 * @param overConfident  per attack that returns adversarial examples (not AutoAttack), per class aligned with
 *                       {@code classes}: the share of the class's test examples whose adversarial example gives
 *                       the true class a higher probability than the clean one (the paper's over-confident AEs);
 *                       null in results written before it was added (an optional field of version 2)
 * @param warnings       the evaluation's failed sanity checks (AutoAttack's: outputs that look like probabilities,
 *                       zero input gradients, outputs that change between forwards, more targets than classes − 1),
 *                       one sentence each naming the check, the measured value and the threshold; empty when all
 *                       passed, and in results written before it was added (an optional field of version 2, read as
 *                       empty when absent or null)
 */
public record EvalResult(int schemaVersion, String jobId, int epoch, String checkpointKey, String sha256,
                         String dataset, String method, String model, float eps, @Nullable String norm, String attack,
                         List<String> classes, ClassAccuracy cleanAccuracy, ClassAccuracy robustAccuracy,
                         Map<String, ClassAccuracy> robustByAttack, Map<String, AttackRun> attacks,
                         @Nullable Long testExamples, Instant evaluatedAt,
                         @Nullable Map<String, double[]> overConfident, @Nullable List<String> warnings)
        implements Versioned {

    /** A result without sanity warnings. */
    public EvalResult(int schemaVersion, String jobId, int epoch, String checkpointKey, String sha256, String dataset,
                      String method, String model, float eps, String norm, String attack, List<String> classes,
                      ClassAccuracy cleanAccuracy, ClassAccuracy robustAccuracy, Map<String, ClassAccuracy> robustByAttack,
                      Map<String, AttackRun> attacks, Long testExamples, Instant evaluatedAt,
                      Map<String, double[]> overConfident) {
        this(schemaVersion, jobId, epoch, checkpointKey, sha256, dataset, method, model, eps, norm, attack, classes,
                cleanAccuracy, robustAccuracy, robustByAttack, attacks, testExamples, evaluatedAt, overConfident,
                List.of());
    }

    /**
     * How one evaluation attack was run.
     *
     * @param settings     its settings by their papers' names (eps, alpha, steps, iterations, restarts, targets, preset)
     * @param stages       an ensemble's attacks in the order they ran (empty for one attack)
     * @param forwardRows  example-rows of forward passes it spent
     * @param backwardRows example-rows of backward passes it spent
     */
    public record AttackRun(Map<String, Object> settings, List<String> stages, long forwardRows, long backwardRows,
                            double seconds) {
        public AttackRun {
            Require.nonNull(settings, "settings");
            Require.nonNull(stages, "stages");
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            stages = List.copyOf(stages);
        }
    }

    public EvalResult {
        if (schemaVersion != SchemaVersion.EVAL_RESULT) {
            throw new IllegalArgumentException("an EvalResult is written as schema_version " + SchemaVersion.EVAL_RESULT
                    + "; got " + schemaVersion);
        }
        Require.nonBlank(jobId, "job_id");
        Require.nonBlank(checkpointKey, "checkpoint_key");
        Require.nonBlank(sha256, "sha256");
        Require.nonBlank(dataset, "dataset");
        Require.nonBlank(method, "method");
        Require.nonBlank(model, "model");
        Require.nonBlank(attack, "attack");
        Require.nonNull(classes, "classes");
        Require.nonNull(cleanAccuracy, "clean_accuracy");
        Require.nonNull(robustAccuracy, "robust_accuracy");
        Require.nonNull(robustByAttack, "robust_by_attack");
        Require.nonNull(attacks, "attacks");
        Require.nonNull(evaluatedAt, "evaluated_at");
        classes = List.copyOf(classes);
        robustByAttack = Collections.unmodifiableMap(new LinkedHashMap<>(robustByAttack));
        attacks = Collections.unmodifiableMap(new LinkedHashMap<>(attacks));
        if (!robustByAttack.containsKey(attack)) {
            throw new IllegalArgumentException("robust_by_attack has no entry for the headline attack '" + attack + "'");
        }
        for (ClassAccuracy a : robustByAttack.values()) {
            checkAligned(a, classes);
        }
        checkAligned(cleanAccuracy, classes);
        checkAligned(robustAccuracy, classes);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        for (String w : warnings) {
            Require.nonBlank(w, "warnings[]");
        }
        if (overConfident != null) {
            overConfident = Collections.unmodifiableMap(new LinkedHashMap<>(overConfident));
            for (Map.Entry<String, double[]> e : overConfident.entrySet()) {
                if (e.getValue() == null || e.getValue().length != classes.size()) {
                    throw new IllegalArgumentException("over_confident." + e.getKey() + " must have one share per "
                            + "class (" + classes.size() + ")");
                }
            }
        }
    }

    /**
     * This result with AutoAttack's APGD part under its own name. Until 2026-12-04 {@code autoattack-standard} (and
     * {@code -l2}) named the APGD part alone (stages {@code apgd-ce}, {@code apgd-t}; no {@code square_queries} in
     * its settings); today it is the four attacks and the APGD part is {@code autoattack-apgd}. Such an attack, its
     * stage keys and the headline are renamed, its preset {@code standard} becomes {@code apgd}, the numbers are
     * kept; any other result is returned as it is. {@link Codec} applies it to every result it reads, so an old
     * number is never taken for the standard version's (ham-core's reports and model cards are read the same way).
     */
    public EvalResult withApgdPartNamed() {
        List<String> old = attacks.entrySet().stream()
                .filter(e -> e.getKey().startsWith("autoattack-standard")
                        && !(e.getValue().settings().get("square_queries") instanceof Number q && q.intValue() > 0))
                .map(Map.Entry::getKey).toList();
        if (old.isEmpty()) {
            return this;
        }
        java.util.function.UnaryOperator<String> name = s -> old.stream()
                .filter(k -> s.equals(k) || s.startsWith(k + ":")).findFirst()
                .map(k -> "autoattack-apgd" + s.substring("autoattack-standard".length())).orElse(s);
        Map<String, ClassAccuracy> byAttack = new LinkedHashMap<>();
        robustByAttack.forEach((k, v) -> byAttack.put(name.apply(k), v));
        Map<String, AttackRun> runs = new LinkedHashMap<>();
        attacks.forEach((k, run) -> {
            Map<String, Object> settings = new LinkedHashMap<>(run.settings());
            if (old.contains(k) && "standard".equals(settings.get("preset"))) {
                settings.put("preset", "apgd");
            }
            runs.put(name.apply(k), new AttackRun(settings, run.stages(), run.forwardRows(), run.backwardRows(),
                    run.seconds()));
        });
        Map<String, double[]> confident = null;
        if (overConfident != null) {
            confident = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : overConfident.entrySet()) {
                confident.put(name.apply(e.getKey()), e.getValue());
            }
        }
        return new EvalResult(schemaVersion, jobId, epoch, checkpointKey, sha256, dataset, method, model, eps, norm,
                name.apply(attack), classes, cleanAccuracy, robustAccuracy, byAttack, runs, testExamples, evaluatedAt,
                confident, warnings);
    }

    private static void checkAligned(ClassAccuracy a, List<String> classes) {
        if (a.perClass().length != classes.size()) {
            throw new IllegalArgumentException("per_class has " + a.perClass().length + " values but there are "
                    + classes.size() + " classes");
        }
    }
}
