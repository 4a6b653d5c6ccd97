package org.hamkafka.trainer;

import org.hamkafka.trainer.run.JobRunner;
import org.hamkafka.trainer.storage.OrderedWrites;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.trainer.support.DataDirResource;
import org.hamkafka.trainer.support.KafkaAttackWorker;
import org.hamkafka.testsupport.KafkaResource;
import org.hamkafka.testsupport.PostgresResource;
import org.hamkafka.testsupport.S3Resource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.testsupport.TestKafka;
import org.hamkafka.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributed run against the in-process reference, on a real Kafka broker, S3 and
 * PostgreSQL. An attack worker in the test (a plain Kafka consumer calling ham-core's
 * {@code TrainingMethod.attack}, as the attack-service does) answers the trainer's requests; the
 * trainer's final checkpoint must equal ham-core's {@link TrainingRun} on the same seed and
 * settings within 1e-5 — whether the batch travels as one shard or two, and across a restart.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(DataDirResource.class)
class DistributedTrainingTest {
    static final float TOLERANCE = 1e-5f;

    @Inject
    ObjectStore store;
    @Inject
    JobRunner runner;

    private KafkaAttackWorker worker;

    @BeforeEach
    void startWorker() {
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader("Authorization", org.hamkafka.testsupport.TestTokens.operator()).build();

        worker = new KafkaAttackWorker(KafkaResource.bootstrapServers(), store::get);
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        worker.close();
    }

    @Test
    void hamJobEqualsInProcessRunWithOneAndTwoShards() {
        String ham = """
                {"dataset": "fashion-mnist", "model": "tiny-cnn", "method": "ham", "warmup_epochs": 0, "eps": 0.1,
                 "alpha": 0.025, "steps": 4, "drop_step": 2, "train_subset": 256, "batch_size": 64, "epochs": 1,
                 "lr": 0.05, "seed": 5, "shards_per_batch": %d}""";
        TrainingRun.Result[] inProcess = new TrainingRun.Result[1];
        Map<String, Float> reference = reference(base().with(p -> {
            p.model = "tiny-cnn";
            p.method = "ham";
            p.warmupEpochs = 0;
            p.steps = 4;
            p.dropStep = 2;
            p.trainSubset = 256;
            p.batchSize = 64;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 5L;
        }), inProcess);

        String one = submitAndFinish(ham.formatted(1));
        assertClose(reference, checkpoint(one, "tiny-cnn", 1), "HAM, 1 shard");
        assertSamePasses(inProcess[0], one, "HAM, 1 shard");
        // tiny-cnn's snapshots are small: they travelled inside their announcements (their S3 copies, written
        // behind the steps, are what a resume reads: haltedJobResumesToTheSameWeights)
        List<ModelSnapshot> announced = worker.announcementsOf(one);
        assertTrue(!announced.isEmpty() && announced.stream().allMatch(a -> a.npz() != null), "inline: " + announced);
        assertTrue(announced.stream().allMatch(a -> a.schemaVersion() == 2), "announced as envelopes: " + announced);
        assertTrue(worker.servedInline.get() >= 4, "requests served from inline bytes: " + worker.servedInline);

        String two = submitAndFinish(ham.formatted(2));
        assertClose(reference, checkpoint(two, "tiny-cnn", 1), "HAM, 2 shards");
        assertSamePasses(inProcess[0], two, "HAM, 2 shards");
        // shards are keyed <job>/<step>/<shard>, so they spread over the 4 partitions
        assertTrue(worker.keysSeen.contains(two + "/0/1"), worker.keysSeen.toString());
        assertTrue(worker.partitionsSeen.size() >= 2, "partitions used: " + worker.partitionsSeen);
        // the trainer sends version 2, binary envelopes, and reads the worker's envelopes back
        assertEquals(java.util.Set.of("v2 envelope"), worker.formsSeen);
        // HAM drops easy examples: the reported drop rate is a fraction, staleness 0 without pipelining
        given().when().get("/jobs/" + two).then().statusCode(200)
                .body("progress.staleness", org.hamcrest.Matchers.is(0))
                .body("progress.drop_rate", org.hamcrest.Matchers.both(org.hamcrest.Matchers.greaterThanOrEqualTo(0f))
                        .and(org.hamcrest.Matchers.lessThanOrEqualTo(1f)));
    }

    /**
     * HAM with uniform weights: the job's weighting=false reaches the worker, which then skips measuring the
     * variation, so the job equals the in-process run in its weights and in the attack passes it spent.
     */
    @Test
    void uniformHamJobEqualsInProcessRunInWeightsAndAttackPasses() {
        String uniform = """
                {"dataset": "fashion-mnist", "model": "tiny-cnn", "method": "ham", "weighting": false,
                 "warmup_epochs": 0, "eps": 0.1, "alpha": 0.025, "steps": 4, "drop_step": 2, "train_subset": 128,
                 "batch_size": 64, "epochs": 1, "lr": 0.05, "seed": 6}""";
        TrainConfig cfg = base().with(p -> {
            p.model = "tiny-cnn";
            p.method = "ham";
            p.weighting = false;
            p.warmupEpochs = 0;
            p.steps = 4;
            p.dropStep = 2;
            p.trainSubset = 128;
            p.batchSize = 64;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 6L;
        });
        TrainingRun.Result[] inProcess = new TrainingRun.Result[1];
        Map<String, Float> reference = reference(cfg, inProcess);
        String id = submitAndFinish(uniform);
        assertClose(reference, checkpoint(id, "tiny-cnn", 1), "HAM with uniform weights");
        assertSamePasses(inProcess[0], id, "HAM with uniform weights");
        long[] rows = worker.attackRows.get(id);
        // and the variation's two forwards per kept row were not spent: a tanh job of the same settings spends more
        TrainingRun.Result[] tanh = new TrainingRun.Result[1];
        reference(cfg.with(p -> p.weighting = true), tanh);
        assertTrue(tanh[0].cost().attackForwardRows() > rows[0], "tanh " + tanh[0].cost() + " vs uniform " + rows[0]);
    }

    /**
     * Every method not covered above (PGD-AT, HAM, HAM with uniform weights and HAM on TRADES are) through the
     * workers equals the in-process run, in weights and in the attack passes spent.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"standard", "trades", "fast-at"})
    void everyOtherMethodEqualsInProcessRunInWeightsAndAttackPasses(String method) {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "%s", "eps": 0.1, "alpha": 0.025,
                 "steps": 3, "train_subset": 128, "batch_size": 64, "epochs": 1, "lr": 0.05, "seed": 21}"""
                .formatted(method);
        TrainingRun.Result[] inProcess = new TrainingRun.Result[1];
        Map<String, Float> reference = reference(base().with(p -> {
            p.model = "linear";
            p.method = method;
            p.steps = 3;
            p.trainSubset = 128;
            p.batchSize = 64;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 21L;
        }), inProcess);
        String id = submitAndFinish(body);
        assertClose(reference, checkpoint(id, "linear", 1), method);
        assertSamePasses(inProcess[0], id, method);
    }

    @Test
    void pgdAtJobEqualsInProcessRun() {
        String pgd = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "pgd-at", "eps": 0.1, "alpha": 0.025,
                 "steps": 3, "train_subset": 256, "batch_size": 64, "epochs": 2, "lr": 0.05, "seed": 9}""";
        TrainingRun.Result[] inProcess = new TrainingRun.Result[1];
        Map<String, Float> reference = reference(base().with(p -> {
            p.model = "linear";
            p.method = "pgd-at";
            p.steps = 3;
            p.trainSubset = 256;
            p.batchSize = 64;
            p.epochs = 2;
            p.lr = 0.05f;
            p.seed = 9L;
        }), inProcess);
        String id = submitAndFinish(pgd);
        assertClose(reference, checkpoint(id, "linear", 2), "PGD-AT");
        assertSamePasses(inProcess[0], id, "PGD-AT");
    }

    /**
     * Class-wise loss weights (Shirt, class 6, four times the others) compose with HAM's own weights in the
     * trainer's training half: the job equals the in-process run with the same weights, which is another model
     * than without them (so the setting took effect on both sides).
     */
    @Test
    void aClassWeightedHamJobEqualsInProcessRun() {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "ham", "eps": 0.1, "alpha": 0.025,
                 "steps": 3, "drop_step": 1, "warmup_epochs": 0, "train_subset": 128, "batch_size": 64, "epochs": 1,
                 "lr": 0.05, "seed": 17, "class_weights": [1, 1, 1, 1, 1, 1, 4, 1, 1, 1]}""";
        TrainConfig cfg = base().with(p -> {
            p.model = "linear";
            p.method = "ham";
            p.steps = 3;
            p.dropStep = 1;
            p.warmupEpochs = 0;
            p.trainSubset = 128;
            p.batchSize = 64;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 17L;
            p.classWeights = List.of(1f, 1f, 1f, 1f, 1f, 1f, 4f, 1f, 1f, 1f);
        });
        Map<String, Float> reference = reference(cfg);
        Map<String, Float> unweighted = reference(cfg.with(p -> p.classWeights = null));
        assertTrue(reference.entrySet().stream().anyMatch(e -> Math.abs(e.getValue() - unweighted.get(e.getKey())) > 1e-4),
                "the class weights change the in-process model");
        String id = submitAndFinish(body);
        assertClose(reference, checkpoint(id, "linear", 1), "HAM with class weights");
        given().when().get("/jobs/" + id).then().statusCode(200)
                .body("settings.class_weights[6]", org.hamcrest.Matchers.equalTo(4.0f));
    }

    /**
     * Per-class budgets cross the wire in the attack request's settings: a PGD-AT job whose worker attacks Shirt
     * (class 6) within 0.03 and the rest within 0.1 equals the in-process run with the same budgets, another model
     * than without them.
     */
    @Test
    void aJobWithPerClassBudgetsEqualsInProcessRun() {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "pgd-at", "eps": 0.1, "alpha": 0.025,
                 "steps": 3, "train_subset": 128, "batch_size": 64, "epochs": 1, "lr": 0.05, "seed": 19,
                 "class_eps": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.03, 0.1, 0.1, 0.1]}""";
        TrainConfig cfg = base().with(p -> {
            p.model = "linear";
            p.method = "pgd-at";
            p.steps = 3;
            p.trainSubset = 128;
            p.batchSize = 64;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 19L;
            p.classEps = List.of(0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.03f, 0.1f, 0.1f, 0.1f);
        });
        Map<String, Float> reference = reference(cfg);
        Map<String, Float> without = reference(cfg.with(p -> p.classEps = null));
        assertTrue(reference.entrySet().stream().anyMatch(e -> Math.abs(e.getValue() - without.get(e.getKey())) > 1e-4),
                "the budgets change the in-process model");
        String id = submitAndFinish(body);
        assertClose(reference, checkpoint(id, "linear", 1), "PGD-AT with per-class budgets");
    }

    /**
     * The robust-fairness methods through the workers: before each epoch the trainer measures its held-out
     * validation split and moves the class weights (FRL also the budgets, which each attack request of the epoch
     * carries), so the job equals the in-process run — another model than plain TRADES'.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"frl", "wat"})
    void aFairnessMethodsJobEqualsInProcessRun(String method) {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "%s", "eps": 0.1, "alpha": 0.025,
                 "steps": 3, "train_subset": 128, "validation_size": 100, "batch_size": 64, "epochs": 2, "lr": 0.05,
                 "seed": 23, "trades_beta": 1, "frl_rate": 0.5, "frl_bound": 0, "wat_eta": 1}""".formatted(method);
        TrainConfig cfg = base().with(p -> {
            p.model = "linear";
            p.method = method;
            p.steps = 3;
            p.trainSubset = 128;
            p.validationSize = 100;
            p.batchSize = 64;
            p.epochs = 2;
            p.lr = 0.05f;
            p.seed = 23L;
            p.tradesBeta = 1f;
            p.frlRate = 0.5f;
            p.frlBound = 0f;
            p.watEta = 1f;
        });
        Map<String, Float> reference = reference(cfg);
        Map<String, Float> trades = reference(cfg.with(p -> p.method = "trades"));
        assertTrue(reference.entrySet().stream().anyMatch(e -> Math.abs(e.getValue() - trades.get(e.getKey())) > 1e-4),
                method + "'s class weights change the in-process model");
        String id = submitAndFinish(body);
        assertClose(reference, checkpoint(id, "linear", 2), method);
        given().when().get("/jobs/" + id).then().statusCode(200)
                .body("settings.validation_size", org.hamcrest.Matchers.is(100));
    }

    @Test
    void aRefusedShardIsResentUnderAKeyOfItsOwnAndTheJobStillEqualsInProcess() {
        String pgd = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "pgd-at", "eps": 0.1, "alpha": 0.025,
                 "steps": 2, "train_subset": 128, "batch_size": 64, "epochs": 1, "lr": 0.05, "seed": 13}""";
        Map<String, Float> reference = reference(base().with(p -> {
            p.model = "linear";
            p.method = "pgd-at";
            p.steps = 2;
            p.trainSubset = 128;
            p.batchSize = 64;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 13L;
        }));
        worker.refuseFirstAttempts = true;
        String id = submitAndFinish(pgd);
        assertClose(reference, checkpoint(id, "linear", 1), "PGD-AT after resends");
        // the resend of step 0 shard 0 had a key of its own (so the partitioner may place it with another worker)
        assertTrue(worker.keysSeen.contains(id + "/0/0") && worker.keysSeen.contains(id + "/0/0/2"),
                worker.keysSeen.toString());
    }

    /** HAM on TRADES: a TRADES warm-up epoch, then one of early-dropped KL attacks, in two shards per batch. */
    @Test
    void hamOnTradesJobEqualsInProcessRun() {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "ham-trades", "warmup_epochs": 1,
                 "eps": 0.1, "alpha": 0.025, "steps": 4, "drop_step": 2, "trades_beta": 2, "train_subset": 256,
                 "batch_size": 64, "epochs": 2, "lr": 0.05, "seed": 13, "shards_per_batch": 2}""";
        TrainingRun.Result[] inProcess = new TrainingRun.Result[1];
        Map<String, Float> reference = reference(base().with(p -> {
            p.model = "linear";
            p.method = "ham-trades";
            p.warmupEpochs = 1;
            p.steps = 4;
            p.dropStep = 2;
            p.tradesBeta = 2f;
            p.trainSubset = 256;
            p.batchSize = 64;
            p.epochs = 2;
            p.lr = 0.05f;
            p.seed = 13L;
        }), inProcess);
        String id = submitAndFinish(body);
        assertClose(reference, checkpoint(id, "linear", 2), "HAM on TRADES, 2 shards");
        assertSamePasses(inProcess[0], id, "HAM on TRADES, 2 shards");
        // the HAM epoch dropped some examples: fewer trained than attacked
        given().when().get("/jobs/" + id).then().statusCode(200)
                .body("settings.method", org.hamcrest.Matchers.is("ham-trades"))
                .body("progress.drop_rate", org.hamcrest.Matchers.greaterThan(0f));
    }

    @Test
    void aJobOnADataSetOfOnesOwnEqualsInProcessRun() throws Exception {
        // IDX files of 10×10 images in 3 classes, in the folder of its name under ham.data.dir: the trainer reads
        // them, the workers get their description in the requests, the weights match the in-process run
        java.nio.file.Path dir = DataDirResource.root().resolve("squares");
        org.hamkafka.testsupport.IdxFiles.writeSquares(dir, 96);
        String body = """
                {"dataset": "idx:squares", "model": "linear", "method": "ham", "warmup_epochs": 0, "eps": 0.1,
                 "alpha": 0.025, "steps": 4, "drop_step": 2, "batch_size": 32, "epochs": 1, "lr": 0.05, "seed": 17,
                 "shards_per_batch": 2}""";
        Map<String, Float> reference = reference(base().with(p -> {
            p.dataset = "idx:squares";
            p.dataDir = dir.toString();
            p.model = "linear";
            p.method = "ham";
            p.warmupEpochs = 0;
            p.steps = 4;
            p.dropStep = 2;
            p.batchSize = 32;
            p.epochs = 1;
            p.lr = 0.05f;
            p.seed = 17L;
        }));
        String id = submitAndFinish(body);
        assertClose(reference, checkpoint(id, "linear", 1, Datasets.info("idx:squares", dir)), "HAM on idx:squares");
        given().when().get("/jobs/" + id).then().statusCode(200).body("settings.dataset", org.hamcrest.Matchers.is("idx:squares"));
        // a name that would leave the data folder is refused with the field named
        given().contentType(ContentType.JSON).body("{\"dataset\": \"idx:../squares\"}").when().post("/jobs").then()
                .statusCode(400).body(org.hamcrest.Matchers.containsString("dataset"));
    }

    @Test
    void haltedJobResumesToTheSameWeights() {
        String body = """
                {"dataset": "fashion-mnist", "model": "tiny-cnn", "method": "pgd-at", "eps": 0.1, "alpha": 0.025,
                 "steps": 2, "train_subset": 256, "batch_size": 64, "epochs": 2, "lr": 0.05, "seed": 21}""";
        Map<String, Float> reference = reference(base().with(p -> {
            p.model = "tiny-cnn";
            p.method = "pgd-at";
            p.steps = 2;
            p.trainSubset = 256;
            p.batchSize = 64;
            p.epochs = 2;
            p.lr = 0.05f;
            p.seed = 21L;
        }));

        // 4 batches per epoch; hold global step 5 (epoch 1, batch 1): steps 0..4 finish, the last
        // resume state is after 4 steps (every 2, and the epoch end), so step 4 is run again
        String id = submit(body);
        worker.holdStep(id, 5);
        JobResourceTest.awaitTrue(Duration.ofSeconds(120), () -> step(id) == 5);
        assertTrue(runner.halt(id, 30), "worker thread did not stop");
        assertEquals("RUNNING", state(id), "a halted job stays RUNNING, as after a crash");
        assertEquals(5, step(id));
        worker.release();

        assertTrue(runner.resumeUnfinished().contains(id));
        JobResourceTest.awaitTrue(Duration.ofSeconds(120), () -> isFinal(state(id)));
        assertEquals("COMPLETED", state(id), () -> "job ended " + state(id) + ": " + error(id));
        given().when().get("/jobs/" + id + "/events").then().body("kind", hasItem("RESUMED"));
        assertClose(reference, checkpoint(id, "tiny-cnn", 2), "resumed PGD-AT");
        // nothing was in flight in that state, but the next request names the current weights (version 4),
        // announced by the earlier run: the resumed run announced them again, without the bytes
        List<ConsumerRecord<String, byte[]>> again = TestKafka.await(KafkaResource.bootstrapServers(), Topics.MODELS,
                r -> id.equals(r.key()) && Codec.fromBytes(r.value(), ModelSnapshot.class).npz() == null, 1,
                Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertEquals(List.of(4L), again.stream().map(r -> Codec.fromBytes(r.value(), ModelSnapshot.class).version()).toList());
    }

    @Test
    void pipelinedJobResumesToTheSameWeightsAsWithoutHalt() {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "ham", "warmup_epochs": 0, "eps": 0.1,
                 "alpha": 0.025, "steps": 3, "drop_step": 1, "train_subset": 512, "batch_size": 64, "epochs": 1,
                 "lr": 0.05, "seed": 33, "batches_in_flight": 3}""";
        String straight = submitAndFinish(body);
        given().when().get("/jobs/" + straight).then().body("progress.staleness", org.hamcrest.Matchers.is(2));
        Map<String, Float> uninterrupted = checkpoint(straight, "linear", 1);

        String id = submit(body);
        worker.holdStep(id, 5);
        JobResourceTest.awaitTrue(Duration.ofSeconds(120), () -> step(id) == 5);
        assertTrue(runner.halt(id, 30));
        worker.release();
        runner.resumeUnfinished();
        JobResourceTest.awaitTrue(Duration.ofSeconds(120), () -> isFinal(state(id)));
        assertEquals("COMPLETED", state(id), () -> "job ended " + state(id) + ": " + error(id));
        // batches 4..6 were in flight with older weights; the resume state kept their versions
        assertClose(uninterrupted, checkpoint(id, "linear", 1), "pipelined HAM across a halt");
        // the resumed job announced those versions again, without the bytes (a worker started since may not
        // have seen the first announcements), so they were read from the S3 copies written behind the steps
        List<ConsumerRecord<String, byte[]>> again = TestKafka.await(KafkaResource.bootstrapServers(), Topics.MODELS,
                r -> id.equals(r.key()) && Codec.fromBytes(r.value(), ModelSnapshot.class).npz() == null, 3,
                Duration.ofSeconds(30), Duration.ofSeconds(1));
        // a halt drains the job's queued writes (OrderedWrites.close), so the last state saved before it is the
        // one resumed from, whatever the timing: after 4 steps (every 2), with batches 4, 5 and 6 in flight.
        // Batch b+3 is sent with the weights after batch b, so they were attacked with versions 2, 3 and 4
        given().when().get("/jobs/" + id + "/events").then()
                .body("find { it.kind == 'RESUMED' }.message", org.hamcrest.Matchers.containsString("(4 steps done"));
        assertEquals(List.of(2L, 3L, 4L), again.stream()
                .map(r -> Codec.fromBytes(r.value(), ModelSnapshot.class).version()).sorted().toList());
    }

    @Test
    void unreadableResultGoesToDeadLetterTopicAndConsumingGoesOn() throws Exception {
        String key = "not-a-job-" + UUID.randomUUID();
        Properties pp = new Properties();
        pp.put("bootstrap.servers", KafkaResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.ATTACK_RESULTS, key, "{\"schema_version\": 1}".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaResource.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ConsumerRecord<String, byte[]> dead = null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.dlq(Topics.ATTACK_RESULTS)));
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (dead == null && System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        dead = r;
                    }
                }
            }
        }
        assertTrue(dead != null, "the unreadable result never reached " + Topics.dlq(Topics.ATTACK_RESULTS));
        Header reason = dead.headers().lastHeader("dead-letter-reason");
        assertTrue(reason != null && new String(reason.value(), StandardCharsets.UTF_8).contains("job_id"),
                "reason header names the missing field: " + (reason == null ? null : new String(reason.value())));
        // the same DeadLetter record as every other dead-letter topic: where it came from, why, and the payload
        org.hamkafka.contracts.DeadLetter letter = Codec.fromBytes(dead.value(), org.hamkafka.contracts.DeadLetter.class);
        assertEquals(Topics.ATTACK_RESULTS, letter.originalTopic());
        assertTrue(letter.reason().contains("job_id"), letter.reason());
        assertEquals("{\"schema_version\": 1}", new String(letter.payload(), StandardCharsets.UTF_8));

        // the consumer kept going: a job still gets its results
        submitAndFinish("""
                {"model": "linear", "method": "pgd-at", "steps": 1, "train_subset": 128, "batch_size": 64,
                 "epochs": 1, "seed": 2}""");
    }

    @Test
    void readinessIncludesS3AndMetricsAreExported() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 's3' }.status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.name", hasItem(org.hamcrest.Matchers.containsString("Reactive Messaging")))
                .body("checks.name", hasItem(org.hamcrest.Matchers.containsString("Database")));
        String id = submitAndFinish("""
                {"model": "linear", "method": "standard", "train_subset": 64, "batch_size": 32, "epochs": 1,
                 "seed": 4}""");
        // per-job series (ham_job="<id>", see TrainerMetricsTest) go when the job has ended; these stay
        JobResourceTest.awaitTrue(Duration.ofSeconds(30), () -> !given().when().get("/q/metrics").then()
                .extract().asString().contains("ham_job=\"" + id + "\""));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("ham_trainer_running_jobs"), "running-jobs gauge missing");
        assertTrue(metrics.contains("ham_trainer_checkpoints_total"), "checkpoints counter missing");
    }

    // ------------------------------------------------------------------ helpers

    private static TrainConfig base() {
        return TrainConfig.defaults("fashion-mnist").with(p -> {
            p.dataDir = DataDirResource.root().resolve("fashion-mnist").toString();
            p.device = "cpu";
            p.eps = 0.1f;
            p.alpha = 0.025f;
            p.momentum = 0.9f;
            p.weightDecay = 2e-4f;
        });
    }

    /** ham-core's in-process run: parameter name -> flattened values joined in one map key per element. */
    private static Map<String, Float> reference(TrainConfig cfg) {
        return reference(cfg, new TrainingRun.Result[1]);
    }

    /** As {@link #reference(TrainConfig)}, with the run's result (its pass counts) put in {@code result[0]}. */
    private static Map<String, Float> reference(TrainConfig cfg, TrainingRun.Result[] result) {
        TrainingRun run = new TrainingRun(cfg);
        Dataset train = TrainingRun.loadTrain(cfg);
        Classifier f;
        synchronized (Classifier.class) {
            f = run.newModel(train);
        }
        try (f) {
            result[0] = run.train(f, train);
            return flatten(f);
        }
    }

    private Map<String, Float> checkpoint(String id, String arch, int epochs) {
        return checkpoint(id, arch, epochs, Datasets.info("fashion-mnist"));
    }

    private Map<String, Float> checkpoint(String id, String arch, int epochs, org.hamkafka.core.data.DatasetInfo data) {
        String key = given().when().get("/jobs/" + id).then().statusCode(200).extract().path("progress.last_checkpoint_key");
        assertEquals("jobs/" + id + "/checkpoints/epoch-" + epochs + ".npz", key);
        byte[] npz = store.get(key);
        // beside it, what the npz does not say: the architecture and the data set it was trained on
        var described = org.hamkafka.core.model.CheckpointInfo.fromJson(new String(
                store.get(ObjectStore.Keys.description(key)), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(arch, described.architecture());
        described.checkMatches(data);
        Classifier f;
        synchronized (Classifier.class) {
            f = Classifier.fromNpz(arch, data, Device.cpu(), new ByteArrayInputStream(npz));
        }
        try (f) {
            return flatten(f);
        }
    }

    private static Map<String, Float> flatten(Classifier f) {
        Map<String, Float> out = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = a.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                out.put(p.getKey() + "[" + i + "]", v[i]);
            }
        }
        return out;
    }

    /** The attack passes the worker reported for job {@code id} are the in-process run's, row for row. */
    private void assertSamePasses(TrainingRun.Result inProcess, String id, String what) {
        long[] rows = worker.attackRows.getOrDefault(id, new long[2]);
        assertEquals(inProcess.cost().attackForwardRows(), rows[0], what + ": attack forward rows");
        assertEquals(inProcess.cost().attackBackwardRows(), rows[1], what + ": attack backward rows");
    }

    private static void assertClose(Map<String, Float> expected, Map<String, Float> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": parameter names/sizes differ");
        float worst = 0;
        String where = null;
        boolean anyNonZero = false;
        for (Map.Entry<String, Float> e : expected.entrySet()) {
            float d = Math.abs(e.getValue() - actual.get(e.getKey()));
            anyNonZero |= e.getValue() != 0f;
            if (!(d <= worst)) {
                worst = d;
                where = e.getKey();
            }
        }
        assertTrue(anyNonZero, what + ": reference weights are all zero");
        assertTrue(worst <= TOLERANCE, what + ": max |difference| " + worst + " at " + where);
    }

    private static String submit(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/jobs")
                .then().statusCode(201).extract().path("id");
    }

    private static String submitAndFinish(String body) {
        String id = submit(body);
        JobResourceTest.awaitTrue(Duration.ofSeconds(180), () -> isFinal(state(id)));
        assertEquals("COMPLETED", state(id), () -> "job ended " + state(id) + ": " + error(id));
        return id;
    }

    private static boolean isFinal(String state) {
        return List.of("COMPLETED", "FAILED", "CANCELLED").contains(state);
    }

    private static String state(String id) {
        return given().when().get("/jobs/" + id).then().statusCode(200).extract().path("state");
    }

    private static String error(String id) {
        return given().when().get("/jobs/" + id).then().extract().path("error");
    }

    private static long step(String id) {
        Number n = given().when().get("/jobs/" + id).then().statusCode(200).extract().path("progress.step");
        return n.longValue();
    }
}
