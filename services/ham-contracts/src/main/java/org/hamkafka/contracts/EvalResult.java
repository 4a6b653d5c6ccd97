package org.hamkafka.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Evaluator → anyone ({@link Topics#EVAL_RESULTS}, a public contract): class-wise clean and robust
 * accuracy of one checkpoint, in the shape of a RobustBench model card plus fairness aggregates.
 *
 * @param checkpointKey  S3 object key of the evaluated checkpoint
 * @param sha256         hex SHA-256 of the checkpoint bytes
 * @param method         training method of the checkpoint
 * @param model          architecture
 * @param eps            evaluation budget
 * @param attack         the attack behind {@code robust_accuracy}, e.g. {@code pgd-20}
 * @param classes        class names; per-class arrays are aligned with it
 * @param otherRobust    robust accuracy under further attacks by attack name (e.g. {@code cw-20}), or null
 */
public record EvalResult(int schemaVersion, String jobId, int epoch, String checkpointKey, String sha256,
                         String dataset, String method, String model, float eps, String attack, List<String> classes,
                         ClassAccuracy cleanAccuracy, ClassAccuracy robustAccuracy,
                         @Nullable Map<String, ClassAccuracy> otherRobust, Instant evaluatedAt) implements Versioned {
    public EvalResult {
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
        Require.nonNull(evaluatedAt, "evaluated_at");
        classes = List.copyOf(classes);
        otherRobust = otherRobust == null ? null : Map.copyOf(otherRobust);
        for (ClassAccuracy a : otherRobust == null ? List.of(cleanAccuracy, robustAccuracy)
                : concat(cleanAccuracy, robustAccuracy, otherRobust.values())) {
            if (a.perClass().length != classes.size()) {
                throw new IllegalArgumentException("per_class has " + a.perClass().length + " values but there are "
                        + classes.size() + " classes");
            }
        }
    }

    private static List<ClassAccuracy> concat(ClassAccuracy a, ClassAccuracy b, java.util.Collection<ClassAccuracy> rest) {
        java.util.ArrayList<ClassAccuracy> all = new java.util.ArrayList<>(rest);
        all.add(a);
        all.add(b);
        return all;
    }
}
