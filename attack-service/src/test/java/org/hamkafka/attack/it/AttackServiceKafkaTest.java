package org.hamkafka.attack.it;

import org.hamkafka.testsupport.TestKafka;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.hamkafka.attack.messaging.ModelsLookback;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.inject.Inject;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.attack.service.SnapshotCache;
import org.hamkafka.attack.service.SnapshotRef;
import org.hamkafka.attack.service.SnapshotRejectedException;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.DeadLetter;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.contracts.Topics;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.AttackOutput;
import org.hamkafka.core.train.Methods;
import org.hamkafka.testsupport.KafkaResource;
import org.hamkafka.testsupport.S3Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack-service on a real Kafka broker and a real S3 server: requests in, results out, and the
 * result equals ham-core's attack half run here in the test on the same snapshot and batch.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(S3Resource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttackServiceKafkaTest {
    static final DatasetInfo INFO = Datasets.info("fashion-mnist");
    static final DatasetSpec SPEC = new DatasetSpec("fashion-mnist", 1, 28, 28, 10, null, null, null);
    static final int N = 16;
    static final Duration WAIT = Duration.ofSeconds(90);

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

    Classifier model;
    byte[] npz;
    float[] images;
    long[] labels;

    @BeforeEach
    void asViewer() {
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader("Authorization", org.hamkafka.testsupport.TestTokens.viewer()).build();
    }

    @BeforeAll
    void tinyModelAndBatch() {
        model = Classifier.create("linear", INFO, Device.cpu(), 11);
        npz = ModelWeights.exportNpz(model);
        Random r = new Random(5);
        images = new float[N * INFO.pixelsPerImage()];
        for (int i = 0; i < images.length; i++) {
            images[i] = r.nextFloat();
        }
        // half the rows labelled as the model predicts them (candidates for "easy", dropped at K'),
        // half labelled otherwise (misclassified from the start: hard)
        labels = new long[N];
        try (NDManager m = model.manager().newSubManager()) {
            long[] predicted = model.logits(m.create(images, new Shape(N, 1, 28, 28)), false).argMax(1).toLongArray();
            for (int i = 0; i < N; i++) {
                labels[i] = i % 2 == 0 ? predicted[i] : (predicted[i] + 1) % 10;
            }
        }
    }

    @AfterAll
    void close() {
        model.close();
    }

    @Test
    void hamResultOnKafkaEqualsTheAttackHalfRunInProcess() throws Exception {
        String job = "it-ham-" + UUID.randomUUID();
        AttackRequest request = publishSnapshotAndRequest(job, hamSettings(3));

        AttackResult result = awaitResult(job);
        assertNull(result.error(), "worker reported: " + result.error());
        AttackOutput expected = assertEqualsAttackInProcess(request, result);

        // HAM dropped the easy examples at K' and saved passes: visible in the statistics
        assertEquals(N, result.stats().examplesIn());
        assertEquals(expected.keptIndices().length, result.stats().examplesKept());
        assertTrue(result.stats().examplesKept() > 0 && result.stats().examplesKept() < N,
                "expected some rows dropped and some kept, kept " + result.stats().examplesKept());
        assertEquals(expected.stats().forwardRows(), result.stats().forwardRows());
        assertEquals(expected.stats().backwardRows(), result.stats().backwardRows());
        assertTrue(result.stats().backwardRows() < (long) N * 10, "HAM must need fewer backward rows than 10-step PGD");
        assertEquals(job, result.jobId());
        assertEquals(request.modelVersion(), result.modelVersion());
        assertTrue(!result.workerId().isBlank());

        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("ham_attack_examples_total"))
                .body(containsString("ham_attack_backward_rows_saved_total"))
                .body(containsString("ham_attack_drop_rate"));
    }

    /** Parked once: by the audit, not also by the worker's own reading of every announcement. */
    @Test
    void aMalformedModelAnnouncementIsParkedOnItsDeadLetterTopicOnce() throws Exception {
        String key = "bad-model-" + UUID.randomUUID();
        byte[] garbage = "{\"schema_version\": 1, \"job_id\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        TestKafka.produce(bootstrap, Topics.MODELS, key, garbage);
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.MODELS),
                r -> key.equals(r.key()), 1, WAIT, Duration.ofSeconds(3));
        assertEquals(1, dead.size());
        DeadLetter d = deadLetter(dead, key);
        assertEquals(Topics.MODELS, d.originalTopic());
        assertArrayEquals(garbage, d.payload());
        assertTrue(d.reason().contains("version") || d.reason().contains("required"), d.reason());
    }

    @Test
    void garbageGoesToTheDeadLetterTopicAndTheServiceKeepsConsuming() throws Exception {
        String tag = UUID.randomUUID().toString();
        byte[] garbage = "this is not an attack request".getBytes(StandardCharsets.UTF_8);
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, "garbage-" + tag, garbage);
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, "v7-" + tag,
                "{\"schema_version\": 7, \"job_id\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        String job = "it-after-garbage-" + tag;
        publishSnapshotAndRequest(job, hamSettings(3));

        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> r.key() != null && r.key().endsWith(tag), 2, WAIT, Duration.ZERO);
        assertEquals(2, dead.size(), "both bad records dead-lettered");
        DeadLetter g = deadLetter(dead, "garbage-" + tag);
        assertTrue(g.reason().contains("malformed JSON"), g.reason());
        assertArrayEquals(garbage, g.payload());
        assertEquals(Topics.ATTACK_REQUESTS, g.originalTopic());
        DeadLetter v7 = deadLetter(dead, "v7-" + tag);
        assertTrue(v7.reason().contains("schema_version 7"), v7.reason());
        assertNotNull(dead.get(0).headers().lastHeader("dead-letter-reason"));

        AttackResult result = awaitResult(job);
        assertNull(result.error(), "the valid request after the garbage was served: " + result.error());
    }

    @Test
    void impossibleSettingIsDeadLetteredAndReportedAsAFailedResult() throws Exception {
        String job = "it-bad-setting-" + UUID.randomUUID();
        AttackRequest request = publishSnapshotAndRequest(job, hamSettings(10)); // K' = K: impossible
        String key = Topics.attackRequestKey(job, request.step(), request.shardIndex());
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> key.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size());
        String reason = Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason();
        assertTrue(reason.contains("settings: drop_step (--drop-step)"), reason);
        AttackResult failed = awaitResult(job);
        assertEquals(reason, failed.error());
        assertEquals(0, failed.keptIndices().length);
    }

    @Test
    void aRequestOlderThanItsBudgetIsAbandonedAndDeadLetteredNotAttacked() throws Exception {
        String job = "it-expired-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz";
        upload(key, npz);
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(
                new ModelSnapshot(SchemaVersion.BINARY, job, 1, key, ModelWeights.sha256(npz), "linear", "fashion-mnist")));
        AttackRequest request = request(job, key, hamSettings(3));
        String requestKey = Topics.attackRequestKey(job, 0, 0);
        // produced 11 minutes ago: past ham.attack.request-budget (10 min), longer than any trainer waits for it
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, requestKey, Codec.toBytes(request),
                System.currentTimeMillis() - java.time.Duration.ofMinutes(11).toMillis());
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> requestKey.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size());
        String reason = Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason();
        assertTrue(reason.startsWith("expired: the request is 66") && reason.contains("request-budget"), reason);
        // no result: nobody waits for it; the same request produced now is attacked
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, requestKey, Codec.toBytes(request));
        AttackResult fresh = awaitResult(job);
        assertEquals(null, fresh.error(), "the fresh copy is attacked");
        assertEquals(1, TestKafka.await(bootstrap, Topics.ATTACK_RESULTS, r -> Topics.key(job).equals(r.key()), 2,
                Duration.ofSeconds(5), Duration.ZERO).size(), "the expired one sent no result");
    }

    @Test
    void aRequestWaitingForItsAnnouncementDoesNotHoldTheWorker() throws Exception {
        // job A's request comes before its snapshot is announced (a known job: it may wait 60 s for it)...
        String jobA = "it-parked-" + UUID.randomUUID();
        String keyA = "jobs/" + jobA + "/models/1.npz";
        upload(keyA, npz);
        TestKafka.produce(bootstrap, Topics.MODELS, jobA, Codec.toBytes(new ModelSnapshot(SchemaVersion.BINARY, jobA,
                0, "jobs/" + jobA + "/models/0.npz", ModelWeights.sha256(npz), "linear", "fashion-mnist")));
        AttackRequest requestA = request(jobA, keyA, hamSettings(3));
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(jobA, 0, 0),
                Codec.toBytes(requestA));
        Thread.sleep(1000); // read and parked before B's request is produced
        // ...and job B's request, behind it, is attacked meanwhile: the wait holds no thread
        String jobB = "it-not-starved-" + UUID.randomUUID();
        AttackRequest requestB = publishSnapshotAndRequest(jobB, hamSettings(3));
        AttackResult b = awaitResult(jobB);
        assertNull(b.error(), b.error());
        assertEqualsAttackInProcess(requestB, b);
        assertTrue(TestKafka.await(bootstrap, Topics.ATTACK_RESULTS, r -> jobA.equals(r.key()), 1,
                Duration.ofSeconds(2), Duration.ZERO).isEmpty(), "A is still waiting, not failed");
        // A's announcement comes: the parked request is attacked, and gives the in-process answer
        TestKafka.produce(bootstrap, Topics.MODELS, jobA, Codec.toBytes(new ModelSnapshot(SchemaVersion.BINARY, jobA,
                1, keyA, ModelWeights.sha256(npz), "linear", "fashion-mnist")));
        AttackResult a = awaitResult(jobA);
        assertNull(a.error(), a.error());
        assertEqualsAttackInProcess(requestA, a);
    }

    @Test
    void aRequestForAJobThatEndedIsRefusedAtOnce() throws Exception {
        String job = "it-ended-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz";
        AttackRequest request = request(job, key, hamSettings(3));
        String requestKey = Topics.attackRequestKey(job, 0, 0);
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, requestKey, Codec.toBytes(request)); // parked
        long t0 = System.nanoTime();
        TestKafka.produce(bootstrap, Topics.TRAINING_PROGRESS, job, Codec.toBytes(new org.hamkafka.contracts
                .TrainingProgress(SchemaVersion.CURRENT, job, 1, 10, 0.5, 0, 1, 0, "COMPLETED", null)));
        AttackResult failed = awaitResult(job);
        assertTrue(failed.error().contains("job " + job + " has ended (COMPLETED"), failed.error());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(),
                "refused when the job ended, not when its 20 s wait ran out");
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> requestKey.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(failed.error(), Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason());
    }

    @Test
    void snapshotFailingItsSha256IsDeadLettered() throws Exception {
        String job = "it-bad-sha-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz";
        upload(key, npz);
        String wrong = "0".repeat(64);
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(
                new ModelSnapshot(SchemaVersion.BINARY, job, 1, key, wrong, "linear", "fashion-mnist")));
        AttackRequest request = request(job, key, hamSettings(3));
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(job, 0, 0), Codec.toBytes(request));
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> Topics.attackRequestKey(job, 0, 0).equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size());
        String reason = Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason();
        assertTrue(reason.contains("sha256") && reason.contains(wrong), reason);
        assertEquals(reason, awaitResult(job).error());
    }

    @Test
    void snapshotThatIsNotAnNpzOfTheModelIsDeadLettered() throws Exception {
        String job = "it-corrupt-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz";
        byte[] corrupt = "these bytes are not an npz archive".getBytes(StandardCharsets.UTF_8);
        upload(key, corrupt);
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(new ModelSnapshot(SchemaVersion.BINARY, job, 1,
                key, ModelWeights.sha256(corrupt), "linear", "fashion-mnist")));
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(job, 0, 0),
                Codec.toBytes(request(job, key, hamSettings(3))));
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> Topics.attackRequestKey(job, 0, 0).equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, dead.size());
        String reason = Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason();
        assertTrue(reason.contains("cannot be read as linear weights"), reason);
        assertEquals(reason, awaitResult(job).error());
    }

    @Inject
    SnapshotCache cache;

    @Test
    void snapshotCacheKeepsTheMostRecentlyUsedSnapshotsAndChecksEveryDownload() throws Exception {
        String job = "it-cache-" + UUID.randomUUID();
        String sha = ModelWeights.sha256(npz);
        for (int v = 0; v < 6; v++) {
            upload("jobs/" + job + "/models/" + v + ".npz", npz);
        }
        // capacity 4 (ham.attack.snapshot-cache-size): six versions leave the four most recent
        for (int v = 0; v < 6; v++) {
            SnapshotRef ref = new SnapshotRef(job, v, "jobs/" + job + "/models/" + v + ".npz", sha);
            assertEquals("linear", cache.withModel(ref, "linear", INFO, Classifier::arch));
        }
        assertTrue(cache.size() <= 4, "cache holds " + cache.size());
        // a cached version asked for with another digest is downloaded again, and checked again
        SnapshotRef tampered = new SnapshotRef(job, 5, "jobs/" + job + "/models/5.npz", "1".repeat(64));
        SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                () -> cache.withModel(tampered, "linear", INFO, Classifier::arch));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        // a missing object is named
        SnapshotRef missing = new SnapshotRef(job, 9, "jobs/" + job + "/models/9.npz", sha);
        e = assertThrows(SnapshotRejectedException.class, () -> cache.withModel(missing, "linear", INFO, Classifier::arch));
        assertTrue(e.getMessage().contains("jobs/" + job + "/models/9.npz"), e.getMessage());
    }

    @Test
    void inlineSnapshotIsAttackedWithoutS3AndGivesTheSameResult() throws Exception {
        String job = "it-inline-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz"; // deliberately not uploaded: the bytes come with the announcement
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(new ModelSnapshot(SchemaVersion.BINARY, job, 1,
                key, ModelWeights.sha256(npz), "linear", "fashion-mnist", npz)));
        AttackRequest request = request(job, key, hamSettings(3));
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(job, 0, 0), Codec.toBytes(request));
        AttackResult result = awaitResult(job);
        assertNull(result.error(), "worker reported: " + result.error());
        assertEqualsAttackInProcess(request, result);
    }

    @Test
    void inlineSnapshotFailingItsSha256IsDeadLettered() throws Exception {
        String job = "it-inline-bad-sha-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz";
        byte[] altered = npz.clone();
        altered[altered.length / 2] ^= 1;
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(new ModelSnapshot(SchemaVersion.BINARY, job, 1,
                key, ModelWeights.sha256(npz), "linear", "fashion-mnist", altered)));
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(job, 0, 0),
                Codec.toBytes(request(job, key, hamSettings(3))));
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> Topics.attackRequestKey(job, 0, 0).equals(r.key()), 1, WAIT, Duration.ZERO);
        String reason = Codec.fromBytes(dead.get(0).value(), DeadLetter.class).reason();
        assertTrue(reason.contains("(sent inline)") && reason.contains("sha256"), reason);
        assertEquals(reason, awaitResult(job).error());
    }

    @Test
    void evictedModelsAreReusedAndHoldExactlyTheNextSnapshotsWeights() throws Exception {
        // two different weight sets, alternating over more versions than the cache holds: a reused model
        // that kept anything of its previous snapshot would give the other set's logits
        byte[][] sets = new byte[2][];
        float[][] logits = new float[2][];
        for (int k = 0; k < 2; k++) {
            try (Classifier f = Classifier.create("linear", INFO, Device.cpu(), 100 + k);
                 NDManager m = f.manager().newSubManager()) {
                sets[k] = ModelWeights.exportNpz(f);
                logits[k] = f.logits(m.create(images, new Shape(N, 1, 28, 28)), false).toFloatArray();
            }
        }
        String job = "it-reuse-" + UUID.randomUUID();
        for (int v = 0; v < 10; v++) {
            byte[] w = sets[v % 2];
            SnapshotRef ref = new SnapshotRef(job, v, "jobs/" + job + "/models/" + v + ".npz", ModelWeights.sha256(w), w);
            float[] got = cache.withModel(ref, "linear", INFO, f -> {
                try (NDManager m = f.manager().newSubManager()) {
                    return f.logits(m.create(images, new Shape(N, 1, 28, 28)), false).toFloatArray();
                }
            });
            assertArrayEquals(logits[v % 2], got, "logits of version " + v);
        }
        assertEquals(1, cache.spareCount(), "an evicted linear model is kept as the spare");
    }

    @Test
    void aStartingWorkerReadsOnlyTheAnnouncementsOfTheLookback() throws Exception {
        String topic = "it-lookback-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        long now = System.currentTimeMillis();
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            // record timestamps: two hours, twenty minutes and one minute before "now"
            for (long minutesAgo : new long[]{120, 20, 1}) {
                producer.send(new ProducerRecord<>(topic, 0, now - minutesAgo * 60_000, "k", minutesAgo + " min")).get();
            }
        }
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        c.put("enable.auto.commit", "false");
        List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(partitions);
            new ModelsLookback(Duration.ofMinutes(15)).seek(consumer, partitions, now);
            assertEquals(2, consumer.position(partitions.get(0)), "starts at the one-minute-old record");
            List<String> read = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (read.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
            }
            assertEquals(List.of("1 min"), read);
            // nothing within the lookback: start at the end, only new announcements count
            new ModelsLookback(Duration.ofSeconds(10)).seek(consumer, partitions, now);
            assertEquals(3, consumer.position(partitions.get(0)));
        }
    }

    @Test
    void workerDescribesItself() {
        given().when().get("/worker").then().statusCode(200)
                .body("device", containsString("cpu"))
                .body("worker_id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
    }

    @Test
    void workerStatusAndMetricsNeedAToken() {
        io.restassured.RestAssured.requestSpecification = null;
        given().when().get("/worker").then().statusCode(401);
        given().when().get("/q/metrics").then().statusCode(401);
        given().header("Authorization", org.hamkafka.testsupport.TestTokens.forged()).when().get("/worker").then()
                .statusCode(401);
    }

    @Test
    void readinessIncludesS3() {
        io.restassured.RestAssured.requestSpecification = null; // health needs no token
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"s3\""));
    }

    // ------------------------------------------------------------------ helpers

    static AttackSettings hamSettings(int dropStep) {
        return new AttackSettings("ham", 0.02f, 0.005f, 10, dropStep, "linf", true, false, 6f, 0.025f, 0);
    }

    /** The result must be ham-core's attack half of the same request, run here on the test's snapshot. */
    AttackOutput assertEqualsAttackInProcess(AttackRequest request, AttackResult result) {
        AttackOutput expected;
        try (Classifier f = Classifier.create("linear", INFO, Device.cpu(), 0)) {
            ModelWeights.importNpz(f, new ByteArrayInputStream(npz));
            try (NDManager m = f.manager().newSubManager()) {
                NDArray x = m.create(images, new Shape(N, 1, 28, 28));
                NDArray y = m.create(labels);
                expected = Methods.create(ContractMapping.trainConfig(request))
                        .attack(f, x, y, request.exampleIds(), request.seed(), request.epoch());
                assertArrayEquals(expected.keptIndices(), result.keptIndices(), "kept indices");
                assertClose(expected.variation(), result.variation(), "variation");
                int kept = expected.keptIndices().length;
                if (kept > 0) {
                    assertClose(expected.adversarial().toFloatArray(), result.adversarial().floats(), "adversarial rows");
                    assertArrayEquals(new long[]{kept, 1, 28, 28}, result.adversarial().shape());
                }
            }
        }
        return expected;
    }

    /** A trainer that writes version 1 sends JSON tensors; the worker serves it and answers in version 1 JSON. */
    @Test
    void aVersion1JsonRequestIsStillServedAndAnsweredAsVersion1Json() throws Exception {
        String job = "it-v1-" + UUID.randomUUID();
        String key = "jobs/" + job + "/models/1.npz";
        upload(key, npz);
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(new ModelSnapshot(SchemaVersion.JSON_TENSORS,
                job, 1, key, ModelWeights.sha256(npz), "linear", "fashion-mnist")));
        AttackRequest request = request(SchemaVersion.JSON_TENSORS, job, key, hamSettings(3));
        byte[] json = Codec.toBytes(request);
        assertEquals('{', json[0]);
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(job, 0, 0), json);

        byte[] wire = awaitResultBytes(job);
        assertEquals('{', wire[0], "answered as JSON");
        AttackResult result = Codec.fromBytes(wire, AttackResult.class);
        assertEquals(SchemaVersion.JSON_TENSORS, result.schemaVersion());
        assertNull(result.error(), "worker reported: " + result.error());
        assertEqualsAttackInProcess(request, result);
    }

    /** A cut-off envelope is parked on the dead-letter topic, the reason naming the tensor that runs past its end. */
    @Test
    void aTruncatedEnvelopeIsDeadLetteredWithItsReason() throws Exception {
        String key = "cut-" + UUID.randomUUID();
        byte[] whole = Codec.toBytes(request("it-cut", "jobs/it-cut/models/1.npz", hamSettings(3)));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, key, cut);
        List<ConsumerRecord<String, byte[]>> dead = TestKafka.await(bootstrap, Topics.dlq(Topics.ATTACK_REQUESTS),
                r -> key.equals(r.key()), 1, WAIT, Duration.ZERO);
        DeadLetter d = deadLetter(dead, key);
        assertTrue(d.reason().startsWith("AttackRequest: field 'images': section [")
                && d.reason().contains("truncated binary envelope"), d.reason());
        assertArrayEquals(cut, d.payload());
    }

    AttackRequest publishSnapshotAndRequest(String job, AttackSettings settings) throws Exception {
        String key = "jobs/" + job + "/models/1.npz";
        upload(key, npz);
        TestKafka.produce(bootstrap, Topics.MODELS, job, Codec.toBytes(new ModelSnapshot(SchemaVersion.BINARY, job, 1,
                key, ModelWeights.sha256(npz), "linear", "fashion-mnist")));
        AttackRequest request = request(job, key, settings);
        TestKafka.produce(bootstrap, Topics.ATTACK_REQUESTS, Topics.attackRequestKey(job, 0, 0), Codec.toBytes(request));
        return request;
    }

    AttackRequest request(String job, String modelKey, AttackSettings settings) {
        return request(SchemaVersion.BINARY, job, modelKey, settings);
    }

    AttackRequest request(int version, String job, String modelKey, AttackSettings settings) {
        long[] ids = new long[N];
        for (int i = 0; i < N; i++) {
            ids[i] = 1000 + 7L * i;
        }
        return new AttackRequest(version, job, 0, 0, 0, 0, 1, 0, 1, modelKey, "linear", SPEC, settings,
                12345L, ids, Tensor.ofFloats(new long[]{N, 1, 28, 28}, images), Tensor.ofLongs(new long[]{N}, labels));
    }

    /** The job's one result, which travelled as a binary envelope (schema version 2). */
    AttackResult awaitResult(String job) {
        byte[] wire = awaitResultBytes(job);
        assertEquals((byte) 0x89, wire[0], "a binary envelope");
        AttackResult result = Codec.fromBytes(wire, AttackResult.class);
        assertEquals(SchemaVersion.BINARY, result.schemaVersion());
        return result;
    }

    byte[] awaitResultBytes(String job) {
        List<ConsumerRecord<String, byte[]>> found = TestKafka.await(bootstrap, Topics.ATTACK_RESULTS,
                r -> job.equals(r.key()), 1, WAIT, Duration.ZERO);
        assertEquals(1, found.size(), "one result for job " + job);
        return found.get(0).value();
    }

    void upload(String key, byte[] bytes) throws Exception {
        try (MinioClient c = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build()) {
            c.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
        }
    }

    static DeadLetter deadLetter(List<ConsumerRecord<String, byte[]>> records, String key) {
        return records.stream().filter(r -> key.equals(r.key())).findFirst()
                .map(r -> Codec.fromBytes(r.value(), DeadLetter.class))
                .orElseThrow(() -> new AssertionError("no dead letter with key " + key));
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertNotNull(actual, what);
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6, what + "[" + i + "]");
        }
    }
}
