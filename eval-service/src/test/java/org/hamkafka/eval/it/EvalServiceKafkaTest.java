package org.hamkafka.eval.it;

import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.testsupport.TestKafka;
import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.DeadLetter;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Topics;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.eval.persistence.EvalResultEntity;
import org.hamkafka.testsupport.KafkaResource;
import org.hamkafka.testsupport.PostgresResource;
import org.hamkafka.testsupport.S3Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The eval-service on real Kafka, S3 and PostgreSQL with a tiny Fashion-MNIST-format test set:
 * announcements in, rows in the database and results on ham.eval.results out, equal to ham-core's
 * evaluator run here in the test.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TinyFashionMnist.class)
class EvalServiceKafkaTest {
    static final DatasetInfo INFO = Datasets.info("fashion-mnist");
    static final float EPS = 0.1f;
    static final Duration WAIT = Duration.ofSeconds(90);
    static final float[] EVEN_STRONGER = {1f, 0.85f, 1f, 0.85f, 1f, 0.85f, 1f, 0.85f, 1f, 0.85f};

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "ham.s3.endpoint")
    String endpoint;
    @ConfigProperty(name = "ham.s3.access-key")
    String accessKey;
    @ConfigProperty(name = "ham.s3.secret-key")
    String secretKey;
    @ConfigProperty(name = "ham.s3.bucket")
    String bucket;
    @ConfigProperty(name = "ham.data.dir")
    String dataDir;
    @ConfigProperty(name = "ham.eval.test-subset")
    int testSubset;
    @ConfigProperty(name = "ham.eval.attacks")
    List<String> attacks;
    @ConfigProperty(name = "ham.eval.seed")
    long seed;
    @ConfigProperty(name = "ham.eval.batch-size")
    int batchSize;

    @BeforeEach
    void doublesAsDoubles() {
        // RestAssured reads JSON numbers as float by default: too coarse to compare accuracies and rho
        RestAssured.config = RestAssured.config().jsonConfig(JsonConfig.jsonConfig()
                .numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
        // a viewer reads the results
        RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader("Authorization", org.hamkafka.testsupport.TestTokens.viewer()).build();
    }

    @Test
    void announcedCheckpointIsEvaluatedLikeHamCoresEvaluatorStoredAndPublished() throws Exception {
        String job = "eval-" + UUID.randomUUID();
        byte[] npz = templateModel(uniform(1f));
        announce(job, 0, npz, ModelWeights.sha256(npz));

        EvalResult published = awaitResults(job, 1).get(0);
        ClassWiseReport expected = evaluateHere(npz);
        assertEquals(List.of("pgd-20", "cw-20", "worst-case"), expected.attacks());
        assertEquals(INFO.classNames(), published.classes());
        assertEquals(SchemaVersion.EVAL_RESULT, published.schemaVersion());
        // two attacks: the headline is the worst case (robust only if an example survives both)
        assertEquals("worst-case", published.attack());
        assertEquals(EPS, published.eps());
        assertPerClass(expected.clean(), published.cleanAccuracy());
        assertPerClass(expected.robust("worst-case"), published.robustAccuracy());
        assertPerClass(expected.robust("pgd-20"), published.robustByAttack().get("pgd-20"));
        assertPerClass(expected.robust("cw-20"), published.robustByAttack().get("cw-20"));
        for (int c = 0; c < INFO.numClasses(); c++) {
            assertTrue(published.robustAccuracy().perClass()[c] <= Math.min(
                    published.robustByAttack().get("pgd-20").perClass()[c],
                    published.robustByAttack().get("cw-20").perClass()[c]) + 1e-12, "worst case <= each attack");
        }
        // the settings and passes travel with the numbers: PGD-20 spends 20 forward+backward rows per example,
        // plus the forward that reads its output
        EvalResult.AttackRun pgd = published.attacks().get("pgd-20");
        assertEquals(20, ((Number) pgd.settings().get("steps")).intValue());
        assertEquals(EPS / 4, ((Number) pgd.settings().get("alpha")).doubleValue(), 1e-6);
        assertEquals(20L * testSubset, pgd.backwardRows());
        assertEquals(21L * testSubset, pgd.forwardRows());
        assertEquals((long) testSubset, published.testExamples());
        // the over-confident share per class under each attack, as ham-core's evaluator counted it
        assertEquals(List.of("pgd-20", "cw-20"), List.copyOf(published.overConfident().keySet()));
        assertArrayEquals(expected.overConfidentShares().get("pgd-20"), published.overConfident().get("pgd-20"), 1e-12);
        assertArrayEquals(expected.overConfidentShares().get("cw-20"), published.overConfident().get("cw-20"), 1e-12);

        // the model card: RobustBench's fields, the class-wise extension equal to the published numbers
        JsonPath card = given().when().get("/results/{job}/latest/card", job).then().statusCode(200).extract().jsonPath();
        assertEquals("fashion-mnist", card.getString("dataset"));
        assertEquals("Linf", card.getString("threat_model"));
        assertEquals("linear", card.getString("architecture"));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", 100 * published.cleanAccuracy().average()),
                card.getString("clean_acc"));
        assertEquals(null, card.getString("autoattack_acc"), "not evaluated with AutoAttack");
        assertEquals("worst-case", card.getString("class_wise.headline"));
        assertEquals(published.robustAccuracy().worstClass(), card.getString("class_wise.worst_class"));
        assertEquals(published.robustAccuracy().worst(), card.getDouble("class_wise.worst_class_robust_acc"), 1e-12);
        // the data set is built so that the attack matters but leaves every class some robust examples
        assertTrue(published.robustAccuracy().average() < published.cleanAccuracy().average());
        assertTrue(published.robustAccuracy().worst() > 0);

        JsonPath row = given().when().get("/results/{job}/{epoch}", job, 0).then().statusCode(200).extract().jsonPath();
        assertEquals("EVALUATED", row.getString("status"));
        assertEquals(testSubset, row.getInt("examples"));
        assertEquals(published.robustAccuracy().worst(), row.getDouble("robust_worst"), 1e-12);
        // the stored result is the published one
        assertEquals(published.sha256(), row.getString("result.sha256"));
        assertEquals(published.evaluatedAt().toString(), row.getString("result.evaluated_at"));
        List<Double> stored = row.getList("result.robust_accuracy.per_class", Double.class);
        assertArrayEquals(published.robustAccuracy().perClass(), stored.stream().mapToDouble(Double::doubleValue).toArray(),
                1e-15);
    }

    @Test
    void aCheckpointOnADataSetOfOnesOwnIsEvaluatedOnItsFolderUnderTheDataRoot() throws Exception {
        // IDX files of 10×10 images in 3 classes at ham.data.dir/squares: the test set of idx:squares
        Path folder = Path.of(dataDir).resolve("squares");
        org.hamkafka.testsupport.IdxFiles.writeSquares(folder, 30);
        DatasetInfo own = Datasets.info("idx:squares", folder);
        byte[] npz;
        try (Classifier f = Classifier.create("linear", own, Device.cpu(), 3)) {
            npz = ModelWeights.exportNpz(f);
        }
        String job = "eval-idx-" + UUID.randomUUID();
        announceOn("idx:squares", job, 0, npz, ModelWeights.sha256(npz), List.of("pgd-5"), 0);
        EvalResult published = awaitResults(job, 1).get(0);
        assertEquals("idx:squares", published.dataset());
        assertEquals(List.of("0", "1", "2"), published.classes());
        assertEquals(30L, published.testExamples());
        ClassWiseReport expected;
        try (Classifier f = Classifier.create("linear", own, Device.cpu(), 0)) {
            ModelWeights.importNpz(f, new ByteArrayInputStream(npz));
            expected = new ClassWiseEvaluator(EvaluationAttacks.create(List.of("pgd-5"), EPS, Norm.LINF, seed), batchSize)
                    .evaluate(f, Datasets.load("idx:squares", folder, false));
        }
        assertPerClass(expected.clean(), published.cleanAccuracy());
        assertPerClass(expected.robust("pgd-5"), published.robustAccuracy());
    }

    @Test
    void resultsNeedAViewersToken() {
        RestAssured.requestSpecification = null;
        given().when().get("/results?job=x").then().statusCode(401);
        given().when().get("/results/x/latest/card").then().statusCode(401);
        given().header("Authorization", org.hamkafka.testsupport.TestTokens.forged()).when().get("/results?job=x").then()
                .statusCode(401);
        given().when().get("/q/metrics").then().statusCode(401);
        given().when().get("/q/health/live").then().statusCode(200);
        // past authentication: a viewer learns that job x has no results
        given().header("Authorization", org.hamkafka.testsupport.TestTokens.viewer()).when().get("/results?job=x").then()
                .statusCode(404);
    }

    @Test
    void aJobsOwnEvaluationSettingsAreUsedWhenItsAnnouncementCarriesThem() throws Exception {
        String job = "eval-own-" + UUID.randomUUID();
        byte[] npz = templateModel(uniform(1f));
        announce(job, 0, npz, ModelWeights.sha256(npz), List.of("pgd-5"), 50);
        EvalResult published = awaitResults(job, 1).get(0);
        // not the service's pgd-20,cw-20 on its subset: the job's one attack on 50 examples, so it is the headline
        assertEquals("pgd-5", published.attack());
        assertEquals(List.of("pgd-5"), List.copyOf(published.robustByAttack().keySet()));
        assertEquals(50L, published.testExamples());
        assertEquals(5L * 50, published.attacks().get("pgd-5").backwardRows());

        String bad = "eval-own-bad-" + UUID.randomUUID();
        announce(bad, 0, npz, ModelWeights.sha256(npz), List.of("pgd-0x"), null);
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                r -> bad.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size(), "a job's unknown evaluation attack is rejected, with the reason");
        given().when().get("/results?job={job}", bad).then().statusCode(200)
                .body("[0].status", org.hamcrest.Matchers.equalTo("REJECTED"))
                .body("[0].reason", org.hamcrest.Matchers.containsString("eval_attacks"));

        // AutoAttack's standard version on all 120 images: up to 120 × 10,611 rows, over this profile's 1,000,000
        String costly = "eval-own-costly-" + UUID.randomUUID();
        announce(costly, 0, npz, ModelWeights.sha256(npz), List.of("autoattack-standard"), 0);
        assertEquals(1, TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS), r -> costly.equals(r.key()), 1,
                WAIT, Duration.ZERO).size(), "an evaluation over its cost bound is rejected, not run");
        given().when().get("/results?job={job}", costly).then().statusCode(200)
                .body("[0].status", org.hamcrest.Matchers.equalTo("REJECTED"))
                .body("[0].reason", org.hamcrest.Matchers.containsString("ham.eval.max-rows = 1000000"));
    }

    @Test
    void weightsDescribedAsTrainedOnOtherClassesAreRejectedNamingTheMismatch() throws Exception {
        String job = "eval-described-" + UUID.randomUUID();
        byte[] npz = templateModel(uniform(1f));
        String key = "jobs/" + job + "/checkpoints/0.npz";
        // the trainer writes the description beside the weights; this one lies about the classes
        java.util.List<String> other = new java.util.ArrayList<>(INFO.classNames());
        other.set(1, "Pants");
        byte[] description = new org.hamkafka.core.model.CheckpointInfo("linear", INFO.name(), INFO.channels(),
                INFO.height(), INFO.width(), other, INFO.mean(), INFO.std(), "ham").toJson()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (MinioClient c = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build()) {
            c.putObject(PutObjectArgs.builder().bucket(bucket).object(ObjectStore.Keys.description(key))
                    .stream(new ByteArrayInputStream(description), description.length, -1).build());
        }
        announce(job, 0, npz, ModelWeights.sha256(npz));
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                r -> job.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size());
        DeadLetter letter = Codec.fromBytes(dead.get(0).value(), DeadLetter.class);
        assertTrue(letter.reason().contains("refusing to evaluate") && letter.reason().contains("Pants"),
                letter.reason());
    }

    @Test
    void checkpointAnnouncedTwiceIsStoredOnceAndPublishedOnce() throws Exception {
        String job = "eval-twice-" + UUID.randomUUID();
        byte[] npz = templateModel(uniform(1f));
        String key = announce(job, 0, npz, ModelWeights.sha256(npz));
        announce(job, 0, npz, ModelWeights.sha256(npz));
        byte[] marker = templateModel(EVEN_STRONGER);
        announce(job, 1, marker, ModelWeights.sha256(marker)); // same partition, after both: once it is out, both were read

        List<EvalResult> results = awaitResults(job, 2);
        assertEquals(2, results.size(), "one publication for the checkpoint announced twice, one for the marker");
        assertEquals(1, results.stream().filter(r -> r.checkpointKey().equals(key)).count());
        long rows = QuarkusTransaction.requiringNew().call(() -> EvalResultEntity.count("checkpointKey", key));
        assertEquals(1, rows, "one row for the checkpoint announced twice");
        given().when().get("/results?job={job}", job).then().statusCode(200).body("size()", equalTo(2));
    }

    @Test
    void checkpointFailingItsSha256IsRejectedAndNotEvaluated() throws Exception {
        String job = "eval-badsha-" + UUID.randomUUID();
        byte[] npz = templateModel(uniform(1f));
        String wrong = "f".repeat(64);
        String key = announce(job, 0, npz, wrong);
        byte[] marker = templateModel(EVEN_STRONGER);
        announce(job, 1, marker, ModelWeights.sha256(marker));

        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                r -> job.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size());
        DeadLetter letter = Codec.fromBytes(dead.get(0).value(), DeadLetter.class);
        assertTrue(letter.reason().contains("sha256") && letter.reason().contains(wrong), letter.reason());

        List<EvalResult> results = awaitResults(job, 1);
        assertEquals(1, results.size());
        assertEquals(1, results.get(0).epoch(), "only the marker was evaluated");

        JsonPath rows = given().when().get("/results?job={job}", job).then().statusCode(200).extract().jsonPath();
        assertEquals(2, rows.getList("$").size());
        assertEquals("REJECTED", rows.getString("find { it.epoch == 0 }.status"));
        assertEquals(key, rows.getString("find { it.epoch == 0 }.checkpoint_key"));
        assertTrue(rows.getString("find { it.epoch == 0 }.reason").contains("sha256"));
        assertNull(rows.get("find { it.epoch == 0 }.result"));
        given().when().get("/results/{job}/0", job).then().statusCode(404);
    }

    /**
     * The forgery the reliability suite injects: valid weights uploaded under job K's key and announced without the trainer's
     * key — unsigned, or signed with another key — are REJECTED with the reason and never published; the
     * trainer-signed checkpoint of the same job still is.
     */
    @Test
    void forgedAnnouncementsAreRejectedAndNeverPublished() throws Exception {
        String job = "eval-forged-" + UUID.randomUUID();
        byte[] weights = templateModel(uniform(1f));
        announce(job, 8, weights, ModelWeights.sha256(weights), null, null, null);
        byte[] otherKey = "an-attacker's-key-that-is-long-enough-32".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        announce(job, 9, weights, ModelWeights.sha256(weights), null, null, otherKey);
        byte[] real = templateModel(EVEN_STRONGER);
        announce(job, 1, real, ModelWeights.sha256(real));

        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                r -> job.equals(r.key()), 2, WAIT, Duration.ZERO);
        assertEquals(2, dead.size());
        String unsigned = Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason();
        String wrongKey = Codec.fromBytes(dead.get(1).value(), DeadLetter.class).reason();
        assertTrue(unsigned.contains("epoch 8") && unsigned.contains("not signed"), unsigned);
        assertTrue(wrongKey.contains("epoch 9") && wrongKey.contains("signature does not match"), wrongKey);

        List<EvalResult> results = awaitResults(job, 1);
        assertEquals(List.of(1), results.stream().map(EvalResult::epoch).toList(), "only the signed one published");
        given().when().get("/results/{job}/latest", job).then().statusCode(200).body("epoch", equalTo(1));
        given().when().get("/results/{job}/9", job).then().statusCode(404);
        JsonPath rows = given().when().get("/results?job={job}", job).then().statusCode(200).extract().jsonPath();
        assertEquals("REJECTED", rows.getString("find { it.epoch == 9 }.status"));

        // a forgery naming the checkpoint already evaluated (its key and sha256, another signer): refused and dead-lettered,
        // not taken for a duplicate of the real one (authentication comes before the look-up of earlier results)
        String key = announce(job, 1, real, ModelWeights.sha256(real), null, null, otherKey);
        assertEquals("jobs/" + job + "/checkpoints/1.npz", key);
        List<ConsumerRecord<String, byte[]>> all = TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                r -> job.equals(r.key()), 3, WAIT, Duration.ZERO);
        assertEquals(3, all.size());
        String again = Codec.fromBytes(all.get(2).value(), DeadLetter.class).reason();
        assertTrue(again.contains("epoch 1") && again.contains("signature does not match"), again);
        assertEquals(List.of(1), awaitResults(job, 1).stream().map(EvalResult::epoch).toList(), "still only the real one");
        given().when().get("/results/{job}/1", job).then().statusCode(200).body("status", equalTo("EVALUATED"));
    }

    @Test
    void corruptCheckpointAndMalformedAnnouncementAreDeadLettered() throws Exception {
        String job = "eval-corrupt-" + UUID.randomUUID();
        byte[] corrupt = "these bytes are not an npz archive".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        announce(job, 0, corrupt, ModelWeights.sha256(corrupt));
        byte[] garbage = "{\"schema_version\": 1, \"job_id\": 5".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TestKafka.produce(bootstrap, Topics.CHECKPOINTS, job, garbage);

        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                r -> job.equals(r.key()), 2, WAIT, Duration.ZERO);
        assertEquals(2, dead.size());
        DeadLetter corruptLetter = Codec.fromBytes(dead.get(0).value(), DeadLetter.class);
        assertTrue(corruptLetter.reason().contains("cannot be read as linear weights"), corruptLetter.reason());
        DeadLetter garbageLetter = Codec.fromBytes(dead.get(1).value(), DeadLetter.class);
        assertTrue(garbageLetter.reason().contains("malformed JSON"), garbageLetter.reason());
        assertArrayEquals(garbage, garbageLetter.payload());
        given().when().get("/results?job={job}", job).then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].status", equalTo("REJECTED"));
    }

    @Test
    void restServesEpochsLatestAndComparesWithRho() throws Exception {
        String base = "eval-base-" + UUID.randomUUID();
        String candidate = "eval-cand-" + UUID.randomUUID();
        byte[] a = templateModel(uniform(1f));
        byte[] b0 = templateModel(uniform(0.9f));
        byte[] b1 = templateModel(EVEN_STRONGER);
        announce(base, 0, a, ModelWeights.sha256(a));
        announce(candidate, 0, b0, ModelWeights.sha256(b0));
        announce(candidate, 1, b1, ModelWeights.sha256(b1));
        EvalResult baseResult = awaitResults(base, 1).get(0);
        List<EvalResult> candResults = awaitResults(candidate, 2);
        EvalResult candLatest = candResults.stream().filter(r -> r.epoch() == 1).findFirst().orElseThrow();

        given().when().get("/results?job={job}", candidate).then().statusCode(200)
                .body("size()", equalTo(2)).body("[0].epoch", equalTo(0)).body("[1].epoch", equalTo(1));
        given().when().get("/results/{job}/latest", candidate).then().statusCode(200).body("epoch", equalTo(1));
        given().when().get("/results/{job}/0", candidate).then().statusCode(200).body("epoch", equalTo(0))
                .body("result.job_id", equalTo(candidate));

        JsonPath cmp = given().when().get("/results/compare?base={b}&candidate={c}", base, candidate)
                .then().statusCode(200).extract().jsonPath();
        double rho = FairnessMetrics.rho(candLatest.robustAccuracy().worst(), baseResult.robustAccuracy().worst(),
                candLatest.robustAccuracy().average(), baseResult.robustAccuracy().average());
        double rhoClean = FairnessMetrics.rho(candLatest.cleanAccuracy().worst(), baseResult.cleanAccuracy().worst(),
                candLatest.cleanAccuracy().average(), baseResult.cleanAccuracy().average());
        assertEquals(rho, cmp.getDouble("rho"), 1e-9);
        assertEquals(rhoClean, cmp.getDouble("rho_clean"), 1e-9);
        assertEquals(1, cmp.getInt("candidate.epoch"));
        assertEquals(base, cmp.getString("base.job_id"));
        assertEquals("worst-case", cmp.getString("attack"), "the headline over pgd-20 and cw-20 is their worst case");
        given().when().get("/results/{job}/0/card", candidate).then().statusCode(200)
                .body("class_wise.test_examples", equalTo(testSubset));

        // unknown jobs: 404 saying what is missing
        given().when().get("/results?job=no-such-job").then().statusCode(404).body("error", containsString("no-such-job"));
        given().when().get("/results/no-such-job/latest").then().statusCode(404);
        given().when().get("/results/no-such-job/3").then().statusCode(404);
        given().when().get("/results/no-such-job/latest/card").then().statusCode(404);
        // a NUL byte or an absurdly long id never reaches PostgreSQL (it answered 500 "invalid byte sequence")
        given().urlEncodingEnabled(false).when().get("/results/%00/latest").then().statusCode(404);
        given().urlEncodingEnabled(false).when().get("/results?job=%00").then().statusCode(404);
        given().when().get("/results/" + "x".repeat(300) + "/latest").then().statusCode(404);
        given().when().get("/results/compare?base=no-such-job&candidate={c}", candidate).then().statusCode(404)
                .body("error", containsString("no-such-job"));
        // bad parameters: 400 naming them
        given().when().get("/results").then().statusCode(400).body("parameter", equalTo("job"));
        given().when().get("/results/{job}/abc", base).then().statusCode(400).body("parameter", equalTo("epoch"));
        given().when().get("/results/{job}/-1", base).then().statusCode(400).body("parameter", equalTo("epoch"));
        given().when().get("/results/compare?base={b}", base).then().statusCode(400)
                .body("parameter", equalTo("candidate"));
    }

    @Test
    void readinessIncludesS3AndTheDatabase() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"s3\"")).body(containsString("Database connections health check"));
    }

    // ------------------------------------------------------------------ helpers

    static float[] uniform(float s) {
        float[] scales = new float[10];
        java.util.Arrays.fill(scales, s);
        return scales;
    }

    /** A linear model that matches class c's template (rows 2c..2c+1, see TinyFashionMnist) with weight scale[c]. */
    static byte[] templateModel(float[] scale) {
        try (Classifier f = Classifier.create("linear", INFO, Device.cpu(), 0)) {
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                var array = p.getValue().getArray();
                float[] values = new float[(int) array.getShape().size()];
                if (p.getKey().endsWith("weight")) {
                    for (int c = 0; c < 10; c++) {
                        for (int px = 0; px < 784; px++) {
                            values[c * 784 + px] = (px / 28) / 2 == c ? scale[c] : 0f;
                        }
                    }
                }
                array.set(FloatBuffer.wrap(values));
            }
            return ModelWeights.exportNpz(f);
        }
    }

    ClassWiseReport evaluateHere(byte[] npz) {
        Dataset all = Datasets.load("fashion-mnist", Path.of(dataDir).resolve("fashion-mnist"), false);
        Dataset test = testSubset > 0 && testSubset < all.size() ? Subsets.classBalanced(all, testSubset, seed) : all;
        try (Classifier f = Classifier.create("linear", INFO, Device.cpu(), 0)) {
            ModelWeights.importNpz(f, new ByteArrayInputStream(npz));
            return new ClassWiseEvaluator(EvaluationAttacks.create(attacks, EPS, Norm.LINF, seed), batchSize)
                    .evaluate(f, test);
        }
    }

    String announce(String job, int epoch, byte[] npz, String sha256) throws Exception {
        return announce(job, epoch, npz, sha256, null, null);
    }

    /** Uploads and announces, signed as the trainer signs (with the %test key). */
    String announce(String job, int epoch, byte[] npz, String sha256, List<String> evalAttacks, Integer subset)
            throws Exception {
        return announce(job, epoch, npz, sha256, evalAttacks, subset, trainerKey());
    }

    /** The key eval-service checks against, as the trainer holds it (read while Quarkus runs the test). */
    static byte[] trainerKey() {
        return org.hamkafka.contracts.CheckpointSignature.key(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("ham.checkpoint.signing-key", String.class));
    }

    String announceOn(String dataset, String job, int epoch, byte[] npz, String sha256, List<String> evalAttacks,
                      Integer subset) throws Exception {
        return announce(job, epoch, npz, sha256, evalAttacks, subset, trainerKey(), dataset);
    }

    String announce(String job, int epoch, byte[] npz, String sha256, List<String> evalAttacks, Integer subset,
                    byte[] signingKey) throws Exception {
        return announce(job, epoch, npz, sha256, evalAttacks, subset, signingKey, "fashion-mnist");
    }

    /** @param signingKey null: unsigned */
    String announce(String job, int epoch, byte[] npz, String sha256, List<String> evalAttacks, Integer subset,
                    byte[] signingKey, String dataset) throws Exception {
        String key = "jobs/" + job + "/checkpoints/" + epoch + ".npz";
        try (MinioClient c = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build()) {
            c.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(npz), npz.length, -1).build());
        }
        CheckpointAnnouncement a = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, job, epoch, key, sha256, "linear",
                dataset, EPS, "ham", Instant.now(), evalAttacks, subset, null);
        TestKafka.produce(bootstrap, Topics.CHECKPOINTS, job, Codec.toBytes(signingKey == null ? a : a.signedWith(signingKey)));
        return key;
    }

    /** Waits for {@code count} results of the job, then reads on for 2 s to catch any extra one. */
    List<EvalResult> awaitResults(String job, int count) {
        return TestKafka.await(bootstrap, Topics.EVAL_RESULTS, r -> job.equals(r.key()), count, WAIT,
                        Duration.ofSeconds(2)).stream()
                .map(r -> Codec.fromBytes(r.value(), EvalResult.class)).toList();
    }

    static void assertPerClass(FairnessMetrics expected, ClassAccuracy actual) {
        assertArrayEquals(expected.perClass(), actual.perClass(), 1e-12);
        assertEquals(expected.worst(), actual.worst(), 1e-12);
        assertEquals(expected.average(), actual.average(), 1e-12);
        assertEquals(expected.worstClass(), actual.worstClass());
    }
}
