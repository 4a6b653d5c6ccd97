package org.hamkafka.contracts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link EvalResult} as schema version 1 wrote it (before AutoAttack): {@code attack} was the first
 * configured attack and {@code robust_accuracy} its accuracy; the other attacks' accuracies were in
 * {@code other_robust}; no settings, passes or worst case. {@link Codec} reads it as a version 2
 * {@link EvalResult} through {@link #upgrade()}.
 */
public record EvalResultV1(int schemaVersion, String jobId, int epoch, String checkpointKey, String sha256,
                           String dataset, String method, String model, float eps, String attack, List<String> classes,
                           ClassAccuracy cleanAccuracy, ClassAccuracy robustAccuracy,
                           @Nullable Map<String, ClassAccuracy> otherRobust, Instant evaluatedAt) implements Versioned {
    public static final int VERSION = 1;

    /** The same numbers as a version 2 result: the headline stays the first attack (no worst case was measured). */
    public EvalResult upgrade() {
        Map<String, ClassAccuracy> byAttack = new LinkedHashMap<>();
        byAttack.put(attack, robustAccuracy);
        if (otherRobust != null) {
            byAttack.putAll(otherRobust);
        }
        return new EvalResult(SchemaVersion.EVAL_RESULT, jobId, epoch, checkpointKey, sha256, dataset, method, model,
                eps, null, attack, classes, cleanAccuracy, robustAccuracy, byAttack, Map.of(), null, evaluatedAt, null);
    }
}
