package org.hamkafka.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {

    /** Decoding then re-encoding must give the same bytes: no field is lost or altered either way. */
    private static <T extends Versioned> T roundTrip(T message, Class<T> type) {
        byte[] bytes = Codec.toBytes(message);
        T back = Codec.fromBytes(bytes, type);
        assertArrayEquals(bytes, Codec.toBytes(back), type.getSimpleName() + " changed in a round trip");
        assertEquals(message.schemaVersion(), back.schemaVersion());
        return back;
    }

    @Test
    void attackRequestRoundTrip() {
        AttackRequest in = Samples.attackRequest();
        AttackRequest out = roundTrip(in, AttackRequest.class);
        assertEquals("job-1", out.jobId());
        assertEquals(42, out.step());
        assertEquals(3, out.shardOffset());
        assertEquals(in.settings(), out.settings());
        assertEquals(in.dataset().classNames(), out.dataset().classNames());
        assertArrayEquals(in.dataset().mean(), out.dataset().mean());
        assertArrayEquals(new long[]{10, 11, 12}, out.exampleIds());
        assertEquals(in.images(), out.images());
        assertArrayEquals(new int[]{0, 2, 1}, out.labels().ints());
        assertEquals(3, out.rows());
    }

    /** Per-class budgets travel in the settings (optional within version 2); a bad one is refused, named. */
    @Test
    void classEpsTravelsInTheSettingsAndABadOneIsNamed() throws Exception {
        AttackRequest plain = Samples.attackRequest();
        AttackSettings s = plain.settings();
        AttackSettings budgets = new AttackSettings(s.method(), s.eps(), s.alpha(), s.steps(), s.dropStep(), s.norm(),
                s.randomStart(), s.variationOnLogits(), s.tradesBeta(), s.fastAlpha(), s.warmupEpochs(), true,
                List.of(0.03f, 0.01f, 0.02f));
        AttackRequest in = new AttackRequest(plain.schemaVersion(), plain.jobId(), plain.step(), plain.epoch(),
                plain.batchIndex(), plain.shardIndex(), plain.shardCount(), plain.shardOffset(), plain.modelVersion(),
                plain.modelKey(), plain.arch(), plain.dataset(), budgets, plain.seed(), plain.exampleIds(),
                plain.images(), plain.labels());
        assertEquals(List.of(0.03f, 0.01f, 0.02f), roundTrip(in, AttackRequest.class).settings().classEps());
        assertEquals(null, roundTrip(plain, AttackRequest.class).settings().classEps(), "absent: none");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
                Codec.mapper().readTree(Codec.toBytes(Samples.attackRequest(SchemaVersion.JSON_TENSORS)));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("settings")).putArray("class_eps").add(0.03).add(-1);
        ContractException e = org.junit.jupiter.api.Assertions.assertThrows(ContractException.class,
                () -> Codec.fromBytes(Codec.mapper().writeValueAsBytes(json), AttackRequest.class));
        assertTrue(e.getMessage().contains("settings.class_eps"), e.getMessage());
    }

    @Test
    void attackRequestJsonIsSnakeCase() throws Exception {
        JsonNode json = Codec.mapper().readTree(Codec.toBytes(Samples.attackRequest(SchemaVersion.JSON_TENSORS)));
        for (String field : List.of("schema_version", "job_id", "step", "epoch", "batch_index", "shard_index",
                "shard_count", "shard_offset", "model_version", "model_key", "arch", "dataset", "settings", "seed",
                "example_ids", "images", "labels")) {
            assertTrue(json.has(field), "missing " + field + " in " + json);
        }
        assertTrue(json.get("settings").has("drop_step"));
        assertTrue(json.get("settings").has("variation_on_logits"));
        assertTrue(json.get("dataset").has("num_classes"));
        assertEquals("float32", json.get("images").get("dtype").asText());
        assertEquals("[3,1,2,2]", json.get("images").get("shape").toString());
        assertEquals("int64", json.get("labels").get("dtype").asText());
    }

    @Test
    void attackResultRoundTrip() {
        AttackResult out = roundTrip(Samples.attackResult(), AttackResult.class);
        assertArrayEquals(new int[]{0, 2}, out.keptIndices());
        assertArrayEquals(new float[]{0.5f, 1.5f}, out.variation());
        assertEquals(new ShardStats(3, 2, 12, 9, 17.5), out.stats());
        assertEquals(Samples.attackResult().adversarial(), out.adversarial());
        assertNull(out.error());
    }

    @Test
    void failedAttackResultRoundTrip() {
        AttackResult failed = AttackResult.failure(Samples.attackRequest(), "worker-b", "model version 5 not found");
        AttackResult out = roundTrip(failed, AttackResult.class);
        assertTrue(out.failed());
        assertEquals("model version 5 not found", out.error());
        assertNull(out.adversarial());
        assertEquals(0, out.keptIndices().length);
        assertEquals(3, out.stats().examplesIn());
    }

    @Test
    void smallRecordsRoundTripEqual() {
        assertEquals(Samples.modelSnapshot(), roundTrip(Samples.modelSnapshot(), ModelSnapshot.class));
        assertEquals(Samples.checkpoint(), roundTrip(Samples.checkpoint(), CheckpointAnnouncement.class));
        assertEquals(Samples.progress(), roundTrip(Samples.progress(), TrainingProgress.class));
        assertEquals(Samples.deadLetter(), roundTrip(Samples.deadLetter(), DeadLetter.class));
    }

    @Test
    void inlineSnapshotBytesTravelAsBase64InVersion1() {
        byte[] npz = {1, 2, 3, (byte) 255};
        ModelSnapshot in = new ModelSnapshot(SchemaVersion.JSON_TENSORS, "job-1", 5, "jobs/job-1/models/5.npz",
                "ab".repeat(32), "smallcnn", "fashion-mnist", npz);
        // RFC 4648 base64 of 01 02 03 ff, worked out by hand: 000000 010000 001000 000011 111111 11(0000) → AQID/w==
        assertTrue(Codec.toJson(in).contains("\"npz\":\"AQID/w==\""), Codec.toJson(in));
        assertArrayEquals(npz, roundTrip(in, ModelSnapshot.class).npz());
        assertNull(roundTrip(Samples.modelSnapshot(), ModelSnapshot.class).npz());
    }

    @Test
    void checkpointTimeIsIsoText() {
        assertTrue(Codec.toJson(Samples.checkpoint()).contains("\"created_at\":\"2025-01-02T03:04:05Z\""),
                Codec.toJson(Samples.checkpoint()));
    }

    @Test
    void evalResultRoundTripAndAggregates() {
        EvalResult out = roundTrip(Samples.evalResult(), EvalResult.class);
        ClassAccuracy robust = out.robustAccuracy();
        // the aggregates travel unchanged (ham-contract-mapping's test checks how they are computed)
        assertEquals(Samples.evalResult().robustAccuracy().nstd(), robust.nstd(), 0);
        assertEquals("trouser", robust.worstClass());
        assertArrayEquals(new double[]{0.45, 0.15, 0.35}, out.robustByAttack().get("cw-20").perClass());
        assertEquals(List.of("pgd-20", "cw-20"), List.copyOf(out.robustByAttack().keySet()), "order kept");
        assertEquals(Samples.CLASSES, out.classes());
        EvalResult.AttackRun pgd = out.attacks().get("pgd-20");
        assertEquals(20, ((Number) pgd.settings().get("steps")).intValue());
        assertEquals(0.025, ((Number) pgd.settings().get("alpha")).doubleValue(), 1e-12);
        assertEquals(600, pgd.forwardRows());
        assertEquals(30L, out.testExamples());
        assertArrayEquals(new double[]{0.5, 0.1, 0.3}, out.overConfident().get("pgd-20"));
        assertTrue(Codec.toJson(out).contains("\"over_confident\""), "snake_case on the wire");
        // an optional field of version 2: a result written before it was added is read with none
        String without = Codec.toJson(Samples.evalResult()).replaceFirst(",\\s*\"over_confident\"\\s*:\\s*\\{[^}]*\\}", "");
        assertTrue(!without.contains("over_confident"), without);
        assertEquals(null, Codec.fromJson(without, EvalResult.class).overConfident());
    }

    /** {@code warnings}, an optional field of version 2: carried when present, read as none when absent or null. */
    @Test
    void evalResultWarningsRoundTripAndTheFormWithoutThemStillReads() {
        EvalResult s = Samples.evalResult();
        List<String> w = List.of("sanity check 'zero-gradients': 3 of 30 examples (share 0.100, threshold 0.0) ...",
                "sanity check 'targets': fab-t asks for 9 target classes (targets) but the data set has 3 classes.");
        EvalResult warned = new EvalResult(s.schemaVersion(), s.jobId(), s.epoch(), s.checkpointKey(), s.sha256(),
                s.dataset(), s.method(), s.model(), s.eps(), s.norm(), s.attack(), s.classes(), s.cleanAccuracy(),
                s.robustAccuracy(), s.robustByAttack(), s.attacks(), s.testExamples(), s.evaluatedAt(),
                s.overConfident(), w);
        String json = Codec.toJson(warned);
        assertTrue(json.contains("\"warnings\""), json);
        assertEquals(w, Codec.fromJson(json, EvalResult.class).warnings());
        assertEquals(List.of(), roundTrip(s, EvalResult.class).warnings());
        String without = json.replaceFirst(",\\s*\"warnings\"\\s*:\\s*\\[[^\\]]*\\]", "");
        assertTrue(!without.contains("warnings"), without);
        EvalResult old = Codec.fromJson(without, EvalResult.class);
        assertEquals(List.of(), old.warnings());
        assertEquals(s.robustByAttack().keySet(), old.robustByAttack().keySet());
        assertEquals(List.of(), Codec.fromJson(json.replaceFirst("\"warnings\"\\s*:\\s*\\[[^\\]]*\\]",
                "\"warnings\" : null"), EvalResult.class).warnings());
    }

    @Test
    void evalResultOfSchemaVersion1IsReadAsVersion2WithTheSameNumbers() {
        String v1 = """
                {"schema_version": 1, "job_id": "job-1", "epoch": 2, "checkpoint_key": "jobs/job-1/checkpoints/epoch-3.npz",
                 "sha256": "ab", "dataset": "fashion-mnist", "method": "ham", "model": "tiny-cnn", "eps": 0.1,
                 "attack": "pgd-20", "classes": ["a", "b"],
                 "clean_accuracy": {"average": 0.8, "worst": 0.7, "best": 0.9, "std": 0.1, "nstd": 0.125,
                                    "worst_class": "a", "per_class": [0.7, 0.9]},
                 "robust_accuracy": {"average": 0.4, "worst": 0.3, "best": 0.5, "std": 0.1, "nstd": 0.25,
                                     "worst_class": "a", "per_class": [0.3, 0.5]},
                 "other_robust": {"cw-20": {"average": 0.35, "worst": 0.2, "best": 0.5, "std": 0.15, "nstd": 0.43,
                                            "worst_class": "a", "per_class": [0.2, 0.5]}},
                 "evaluated_at": "2025-01-02T03:05:00Z"}""";
        EvalResult r = Codec.fromJson(v1, EvalResult.class);
        assertEquals(SchemaVersion.EVAL_RESULT, r.schemaVersion());
        assertEquals("pgd-20", r.attack(), "version 1's headline was the first attack; it stays so");
        assertArrayEquals(new double[]{0.3, 0.5}, r.robustAccuracy().perClass());
        assertEquals(List.of("pgd-20", "cw-20"), List.copyOf(r.robustByAttack().keySet()));
        assertArrayEquals(new double[]{0.2, 0.5}, r.robustByAttack().get("cw-20").perClass());
        assertTrue(r.attacks().isEmpty());
        assertNull(r.testExamples());
        // and it is written back as version 2
        assertEquals(2, Codec.mapper().valueToTree(r).get("schema_version").asInt());
    }

    /** Samples' result with an AutoAttack run named {@code aa}: its settings, stages and stage key. */
    private static EvalResult withAutoAttack(String aa, int squareQueries, List<String> stages) {
        EvalResult s = Samples.evalResult();
        java.util.LinkedHashMap<String, ClassAccuracy> byAttack = new java.util.LinkedHashMap<>(s.robustByAttack());
        byAttack.put(aa + ":apgd-ce", s.robustByAttack().get("pgd-20"));
        byAttack.put(aa, s.robustByAttack().get("cw-20"));
        byAttack.put("worst-case", s.robustByAttack().get("cw-20"));
        java.util.LinkedHashMap<String, Object> settings = new java.util.LinkedHashMap<>();
        settings.put("preset", "standard");
        settings.put("eps", 0.1);
        settings.put("targets", 9);
        if (squareQueries >= 0) {
            settings.put("square_queries", squareQueries);
        }
        java.util.LinkedHashMap<String, EvalResult.AttackRun> runs = new java.util.LinkedHashMap<>(s.attacks());
        runs.put(aa, new EvalResult.AttackRun(settings, stages, 900, 880, 3.0));
        return new EvalResult(s.schemaVersion(), s.jobId(), s.epoch(), s.checkpointKey(), s.sha256(), s.dataset(),
                s.method(), s.model(), s.eps(), s.norm(), "worst-case", s.classes(), s.cleanAccuracy(),
                s.robustByAttack().get("cw-20"), byAttack, runs, s.testExamples(), s.evaluatedAt(), s.overConfident());
    }

    /**
     * A result written when {@code autoattack-standard} was AutoAttack's APGD part (no {@code square_queries}, stages
     * APGD-CE and APGD-T) reads back as {@code autoattack-apgd} with the same numbers; today's four-attack standard
     * reads back as written.
     */
    @Test
    void anEvalResultFromWhenStandardMeantTheApgdPartReadsBackAsTheApgdPart() {
        for (String norm : new String[]{"", "-l2"}) {
            EvalResult old = withAutoAttack("autoattack-standard" + norm, -1, List.of("apgd-ce", "apgd-t"));
            EvalResult back = Codec.fromJson(Codec.toJson(old), EvalResult.class);
            String apgd = "autoattack-apgd" + norm;
            assertEquals(List.of("pgd-20", "cw-20", apgd + ":apgd-ce", apgd, "worst-case"),
                    List.copyOf(back.robustByAttack().keySet()));
            assertArrayEquals(old.robustByAttack().get("autoattack-standard" + norm).perClass(),
                    back.robustByAttack().get(apgd).perClass());
            assertEquals(List.of("pgd-20", apgd), List.copyOf(back.attacks().keySet()));
            assertEquals("apgd", back.attacks().get(apgd).settings().get("preset"));
            assertEquals(List.of("apgd-ce", "apgd-t"), back.attacks().get(apgd).stages());
            assertEquals("worst-case", back.attack());
            assertTrue(!Codec.toJson(back).contains("autoattack-standard"), Codec.toJson(back));
            // a headline that was the APGD part is renamed with it
            EvalResult alone = new EvalResult(old.schemaVersion(), old.jobId(), old.epoch(), old.checkpointKey(),
                    old.sha256(), old.dataset(), old.method(), old.model(), old.eps(), old.norm(),
                    "autoattack-standard" + norm, old.classes(), old.cleanAccuracy(), old.robustAccuracy(),
                    old.robustByAttack(), old.attacks(), old.testExamples(), old.evaluatedAt(), old.overConfident());
            assertEquals(apgd, Codec.fromJson(Codec.toJson(alone), EvalResult.class).attack());
        }
        EvalResult four = withAutoAttack("autoattack-standard", 5000, List.of("apgd-ce", "apgd-t", "fab-t", "square"));
        assertEquals(List.of("pgd-20", "cw-20", "autoattack-standard:apgd-ce", "autoattack-standard", "worst-case"),
                List.copyOf(roundTrip(four, EvalResult.class).robustByAttack().keySet()));
    }

    @Test
    void deadLetterKeepsPayloadBytes() {
        DeadLetter out = roundTrip(Samples.deadLetter(), DeadLetter.class);
        assertEquals("{\"schema_version\":7}", new String(out.payload()));
        assertEquals("ham.attack.requests", out.originalTopic());
        assertEquals(99, out.offset());
    }

    /** A dead letter of a 1 MB+ record still fits Kafka's default record limit, with its reason: the payload is cut. */
    @Test
    void aLargePayloadIsTruncatedSoTheLetterAndItsReasonFitKafkasDefaultLimit() throws Exception {
        byte[] big = new byte[16 * 1024 * 1024];
        new java.util.Random(1).nextBytes(big);
        DeadLetter d = DeadLetter.of(Topics.ATTACK_REQUESTS, 3, 77, "job-1/1/0", "snapshot wait exceeded", big,
                java.time.Instant.EPOCH);
        byte[] wire = Codec.toBytes(d);
        assertTrue(wire.length < 1_000_000, "letter of " + wire.length + " bytes");
        DeadLetter back = Codec.fromBytes(wire, DeadLetter.class);
        assertArrayEquals(java.util.Arrays.copyOf(big, DeadLetter.MAX_PAYLOAD_BYTES), back.payload());
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(big));
        assertTrue(back.reason().startsWith("snapshot wait exceeded [payload of 16777216 bytes (sha256 " + sha + ")")
                && back.reason().contains("ham.attack.requests-3@77"), back.reason());
        // at the limit nothing is cut
        byte[] edge = java.util.Arrays.copyOf(big, DeadLetter.MAX_PAYLOAD_BYTES);
        DeadLetter whole = DeadLetter.of(Topics.ATTACK_REQUESTS, 3, 77, null, "r", edge, java.time.Instant.EPOCH);
        assertEquals("r", whole.reason());
        assertArrayEquals(edge, whole.payload());
    }

    @Test
    void topicsAndKeys() {
        assertEquals("ham.attack.requests.dlq", Topics.dlq(Topics.ATTACK_REQUESTS));
        assertEquals("job-1/42/3", Topics.attackRequestKey("job-1", 42, 3));
        assertEquals("job-1/42/3", Topics.attackRequestKey("job-1", 42, 3, 1));
        assertEquals("job-1/42/3/2", Topics.attackRequestKey("job-1", 42, 3, 2), "a resend has a key of its own");
        assertEquals(10, Topics.ALL.size());
        assertEquals(Topics.ALL.size(), Topics.ALL.stream().distinct().count());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Topics.dlq("x.dlq"));
    }
}
