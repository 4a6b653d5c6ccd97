package org.hamkafka.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One filled-in instance of each record, shared by the tests. */
final class Samples {
    private Samples() {
    }

    static final List<String> CLASSES = List.of("t-shirt", "trouser", "pullover");

    static DatasetSpec dataset() {
        return new DatasetSpec("fashion-mnist", 1, 2, 2, 3, CLASSES, new float[]{0.286f}, new float[]{0.353f});
    }

    static AttackSettings settings() {
        return new AttackSettings("ham", 8 / 255f, 2 / 255f, 10, 3, "linf", true, false, 6f, 10 / 255f, 2);
    }

    static AttackRequest attackRequest() {
        return attackRequest(SchemaVersion.BINARY);
    }

    /** The sample request written under {@code version}: {@link SchemaVersion#JSON_TENSORS} for version 1's JSON form. */
    static AttackRequest attackRequest(int version) {
        float[] px = new float[3 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = i / 255f;
        }
        return new AttackRequest(version, "job-1", 42, 1, 7, 1, 2, 3, 5, "jobs/job-1/models/5.npz",
                "smallcnn", dataset(), settings(), 1234L, new long[]{10, 11, 12},
                Tensor.ofFloats(new long[]{3, 1, 2, 2}, px), Tensor.ofInts(new long[]{3}, new int[]{0, 2, 1}));
    }

    static AttackResult attackResult() {
        return attackResult(SchemaVersion.BINARY);
    }

    static AttackResult attackResult(int version) {
        return new AttackResult(version, "job-1", 42, 1, 1, 2, 3, 5, new int[]{0, 2},
                new float[]{0.5f, 1.5f}, Tensor.ofFloats(new long[]{2, 1, 2, 2}, new float[]{0, 0.1f, 0.2f, 0.3f, 1, 0.9f, 0.8f, 0.7f}),
                new ShardStats(3, 2, 12, 9, 17.5), "worker-a", null);
    }

    static ModelSnapshot modelSnapshot() {
        return modelSnapshot(SchemaVersion.BINARY);
    }

    static ModelSnapshot modelSnapshot(int version) {
        return new ModelSnapshot(version, "job-1", 5, "jobs/job-1/models/5.npz", "ab".repeat(32),
                "smallcnn", "fashion-mnist");
    }

    static CheckpointAnnouncement checkpoint() {
        return new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, "job-1", 3, "jobs/job-1/checkpoints/3.npz",
                "cd".repeat(32), "smallcnn", "fashion-mnist", 0.1f, "ham", Instant.parse("2025-01-02T03:04:05Z"));
    }

    static EvalResult evalResult() {
        // aggregates worked out by hand (ham-contract-mapping's test checks ham-core computes the same)
        ClassAccuracy clean = new ClassAccuracy(0.8, 0.7, 0.9, Math.sqrt(0.02 / 3), Math.sqrt(0.02 / 3) / 0.8, "pullover",
                new double[]{0.9, 0.8, 0.7});
        double spread = Math.sqrt((Math.pow(0.5 - 11 / 30.0, 2) + Math.pow(0.2 - 11 / 30.0, 2)
                + Math.pow(0.4 - 11 / 30.0, 2)) / 3);
        ClassAccuracy robust = new ClassAccuracy(11 / 30.0, 0.2, 0.5, spread, spread / (11 / 30.0), "trouser",
                new double[]{0.5, 0.2, 0.4});
        ClassAccuracy cw = new ClassAccuracy(0.95 / 3, 0.15, 0.45, spread, spread / (0.95 / 3), "trouser",
                new double[]{0.45, 0.15, 0.35});
        java.util.LinkedHashMap<String, ClassAccuracy> byAttack = new java.util.LinkedHashMap<>();
        byAttack.put("pgd-20", robust);
        byAttack.put("cw-20", cw);
        java.util.LinkedHashMap<String, Object> pgd = new java.util.LinkedHashMap<>();
        pgd.put("norm", "LINF");
        pgd.put("eps", 0.1);
        pgd.put("alpha", 0.025);
        pgd.put("steps", 20);
        pgd.put("random_start", true);
        return new EvalResult(SchemaVersion.EVAL_RESULT, "job-1", 3, "jobs/job-1/checkpoints/epoch-3.npz",
                "cd".repeat(32), "fashion-mnist", "ham", "smallcnn", 0.1f, "LINF", "pgd-20", CLASSES, clean, robust,
                byAttack, Map.of("pgd-20", new EvalResult.AttackRun(pgd, List.of(), 600, 600, 1.5)), 30L,
                Instant.parse("2025-01-02T03:05:00Z"), Map.of("pgd-20", new double[]{0.5, 0.1, 0.3}));
    }

    static TrainingProgress progress() {
        return new TrainingProgress(SchemaVersion.CURRENT, "job-1", 1, 42, 1.25, 0.375, 812.5, 1, "RUNNING",
                Instant.parse("2025-01-02T03:04:06Z"));
    }

    static DeadLetter deadLetter() {
        return DeadLetter.of(Topics.ATTACK_REQUESTS, 2, 99, "job-1/42/1", "schema_version 7 is not supported",
                "{\"schema_version\":7}".getBytes(), Instant.parse("2025-01-02T03:04:07Z"));
    }
}
