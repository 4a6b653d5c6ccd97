package org.hamkafka.eval.it;

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
    }

    @Test
    void announcedCheckpointIsEvaluatedLikeHamCoresEvaluatorStoredAndPublished() throws Exception {
        String job = "eval-" + UUID.randomUUID();
        byte[] npz = templateModel(uniform(1f));
        announce(job, 0, npz, ModelWeights.sha256(npz));

        EvalResult published = awaitResults(job, 1).get(0);
        ClassWiseReport expected = evaluateHere(npz);
        assertEquals(List.of("pgd-20", "cw-20"), expected.attacks());
        assertEquals(INFO.classNames(), published.classes());
        assertEquals("pgd-20", published.attack());
        assertEquals(EPS, published.eps());
        assertPerClass(expected.clean(), published.cleanAccuracy());
        assertPerClass(expected.robust("pgd-20"), published.robustAccuracy());
        assertNotNull(published.otherRobust(), "cw-20 is configured for the tests");
        assertPerClass(expected.robust("cw-20"), published.otherRobust().get("cw-20"));
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
        assertEquals("pgd-20", cmp.getString("attack"));

        // unknown jobs: 404 saying what is missing
        given().when().get("/results?job=no-such-job").then().statusCode(404).body("error", containsString("no-such-job"));
        given().when().get("/results/no-such-job/latest").then().statusCode(404);
        given().when().get("/results/no-such-job/3").then().statusCode(404);
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
            return new ClassWiseEvaluator(ClassWiseEvaluator.attacks(attacks, EPS, Norm.LINF, seed), batchSize)
                    .evaluate(f, test);
        }
    }

    String announce(String job, int epoch, byte[] npz, String sha256) throws Exception {
        String key = "jobs/" + job + "/checkpoints/" + epoch + ".npz";
        try (MinioClient c = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build()) {
            c.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(npz), npz.length, -1).build());
        }
        TestKafka.produce(bootstrap, Topics.CHECKPOINTS, job, Codec.toBytes(new CheckpointAnnouncement(
                SchemaVersion.CURRENT, job, epoch, key, sha256, "linear", "fashion-mnist", EPS, "ham", Instant.now())));
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
