package org.hamkafka.trainer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.contracts.TrainingProgress;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.trainer.support.AttackHalf;
import org.hamkafka.trainer.support.DataDirResource;
import org.hamkafka.trainer.support.InMemoryChannels;
import org.hamkafka.testsupport.PostgresResource;
import org.hamkafka.testsupport.S3Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REST validation and the job life cycle, fast: messaging on the in-memory connector, a real
 * PostgreSQL and S3. The test answers the trainer's attack requests itself with ham-core's attack
 * half.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(value = InMemoryChannels.class)
@WithTestResource(value = DataDirResource.class)
class JobResourceTest {
    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore store;

    private AttackHalf half;
    private int answered;

    @BeforeEach
    void setUp() {
        // the REST calls of these tests are an operator's (JobResourceTest.authentication… calls without)
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader("Authorization", org.hamkafka.testsupport.TestTokens.operator()).build();
        half = new AttackHalf(this::snapshotBytes);
        answered = 0;
        connector.sink("attack-requests").clear();
        connector.sink("training-progress").clear();
        connector.sink("checkpoints").clear();
        connector.sink("models").clear();
    }

    @AfterEach
    void tearDown() {
        half.close();
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        Map<String, String> cases = Map.of(
                "{\"eps\": -0.1}", "eps",
                "{\"method\": \"ham\", \"steps\": 5, \"drop_step\": 5}", "drop_step",
                "{\"dataset\": \"cifar11\"}", "dataset",
                "{\"model\": \"resnet-9000\"}", "model",
                "{\"batch_size\": 64, \"shards_per_batch\": 65}", "shards_per_batch",
                "{\"batches_in_flight\": 0}", "batches_in_flight",
                "{\"epoch\": 3}", "epoch",
                "{\"eps\": \"big\"}", "eps",
                "{\"momentum\": 1.0}", "momentum",
                "{\"warmup_epochs\": -1}", "warmup_epochs");
        cases.forEach((body, field) -> given().contentType(ContentType.JSON).body(body)
                .when().post("/jobs")
                .then().statusCode(400).body("field", equalTo(field)).body("message", containsString(field.split("_")[0])));
        // a known name with a control character after it is not that name (String.trim took the NUL away)
        given().contentType(ContentType.JSON).body("{\"dataset\": \"FASHION-MNIST\\u0000\"}").when().post("/jobs")
                .then().statusCode(400).body("field", equalTo("dataset")).body("message", containsString("dataset"));
        // an evaluation over ham.trainer.max-eval-rows (1,000,000 in tests) on the 64-image test split:
        // 64 · (10,611 for AutoAttack's standard version — APGD-CE 203, APGD-T 1 + 9 · 201 + 1, FAB-T 1 + 9 · 399 + 1,
        // Square 5,003, the evaluator's forward 1 — + 10,003 for Square's 10,000 queries)
        given().contentType(ContentType.JSON).body("{\"eval_attacks\": [\"autoattack-standard\", \"square-10000\"]}")
                .when().post("/jobs").then().statusCode(400).body("field", equalTo("eval_attacks"))
                .body("message", containsString("on 64 test examples may cost up to 1319296"))
                .body("message", containsString("ham.trainer.max-eval-rows = 1000000"));
        given().contentType(ContentType.JSON).body("{\"test_subset\": 65}").when().post("/jobs")
                .then().statusCode(400).body("field", equalTo("test_subset")).body("message", containsString("64"));
        // one class weight per class of the data set (Fashion-MNIST: 10)
        given().contentType(ContentType.JSON).body("{\"class_weights\": [1, 2]}").when().post("/jobs")
                .then().statusCode(400).body("field", equalTo("class_weights"))
                .body("message", containsString("fashion-mnist has 10 classes; got 2"));
        // the message is ham-core's, with the allowed range
        given().contentType(ContentType.JSON).body("{\"method\": \"ham\", \"steps\": 5, \"drop_step\": 5}")
                .when().post("/jobs")
                .then().statusCode(400).body("message", containsString("1 <= K' < K = 5"));
    }

    @Test
    void theBodyIsReadStrictly() {
        Map<String, String> named = Map.of(
                "{\"epochs\": 1.5}", "epochs",
                "{\"data_dir\": \"/etc\"}", "data_dir",
                "{\"device\": \"gpu\"}", "device",
                "{\"method\": \"pgd-at\", \"steps\": 20000}", "steps",
                "{\"model\": \"wrn-0-0\"}", "model");
        named.forEach((body, field) -> given().contentType(ContentType.JSON).body(body)
                .when().post("/jobs")
                .then().statusCode(400).body("field", equalTo(field)).body("message", containsString(field)));
        // the JSON literal null, an array, a number: not a job's settings
        for (String body : List.of("{\"epochs\": 1} trailing", "{\"epochs\": 1, \"epochs\": 2}", "", "null", "[]", "1")) {
            given().contentType(ContentType.JSON).body(body).when().post("/jobs")
                    .then().statusCode(400).body("message", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
        }
        // a megabyte of settings is not read at all
        given().contentType(ContentType.JSON).body("{\"eval_attacks\": [\"" + "pgd-20\", \"".repeat(120_000) + "pgd-20\"]}")
                .when().post("/jobs").then().statusCode(413);
        given().contentType(ContentType.JSON).body("{\"eval_attacks\": [\"" + "pgd-20\", \"".repeat(20) + "pgd-20\"]}")
                .when().post("/jobs").then().statusCode(400).body("field", equalTo("eval_attacks"))
                .body("message", containsString("at most 8"));
        // every bad field at once, each with its allowed range
        given().contentType(ContentType.JSON).body("{\"epochs\": 0, \"lr\": -1}").when().post("/jobs")
                .then().statusCode(400).body("field", equalTo("epochs"))
                .body("message", containsString("epochs (--epochs) must be in [1, 10000]; got 0"))
                .body("message", containsString("lr (--lr) must be > 0"));
    }

    @Test
    void theOpenApiDocumentDescribesTheJobFieldsFromTheirOneDeclaration() {
        String doc = given().when().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertTrue(doc.contains("\"drop_step\"") && doc.contains("\"batches_in_flight\"")
                && doc.contains("K', HAM's early-drop step"), doc);
        assertTrue(!doc.contains("\"data_dir\""), "data_dir is not a job setting");
    }

    @Test
    void onlyAnOperatorSubmitsAndCancelsAViewerReadsAndHealthAndTheApiDescriptionAreOpen() {
        io.restassured.RestAssured.requestSpecification = null;
        String job = "{\"dataset\": \"fashion-mnist\", \"model\": \"linear\", \"epochs\": 1}";
        // no token, or one signed by a key the trainer does not know: 401 on every call, health and OpenAPI open
        for (String auth : new String[]{null, org.hamkafka.testsupport.TestTokens.forged(), "Bearer not-a-jwt"}) {
            var spec = auth == null ? given() : given().header("Authorization", auth);
            spec.when().get("/jobs").then().statusCode(401);
            (auth == null ? given() : given().header("Authorization", auth)).contentType("application/json").body(job)
                    .when().post("/jobs").then().statusCode(401);
            (auth == null ? given() : given().header("Authorization", auth)).when().post("/jobs/x/cancel").then()
                    .statusCode(401);
            (auth == null ? given() : given().header("Authorization", auth)).when().get("/q/metrics").then()
                    .statusCode(401);
        }
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
        // a viewer reads jobs and metrics but submits and cancels nothing
        String viewer = org.hamkafka.testsupport.TestTokens.viewer();
        given().header("Authorization", viewer).when().get("/jobs").then().statusCode(200);
        given().header("Authorization", viewer).when().get("/q/metrics").then().statusCode(200);
        given().header("Authorization", viewer).contentType("application/json").body(job).when().post("/jobs").then()
                .statusCode(403);
        given().header("Authorization", viewer).when().post("/jobs/x/cancel").then().statusCode(403);
        // and an operator's bad request is still a 400 naming the field: authentication comes first, not instead
        given().header("Authorization", org.hamkafka.testsupport.TestTokens.operator()).contentType("application/json")
                .body("{\"drop_step\": 0}").when().post("/jobs").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.is("drop_step"));
    }

    @Test
    void unknownJobsAre404() {
        given().when().get("/jobs/no-such-job").then().statusCode(404).body("message", containsString("no-such-job"));
        given().when().post("/jobs/no-such-job/cancel").then().statusCode(404);
        // a NUL byte or an absurdly long id never reaches PostgreSQL (it answered 500 "invalid byte sequence")
        given().urlEncodingEnabled(false).when().get("/jobs/%00").then().statusCode(404);
        given().urlEncodingEnabled(false).when().post("/jobs/%00/cancel").then().statusCode(404);
        given().when().get("/jobs/" + "x".repeat(300)).then().statusCode(404);
    }

    @Test
    void jobRunsToCompletionWithShardedRequests() {
        String body = """
                {"dataset": "fashion-mnist", "model": "linear", "method": "ham", "warmup_epochs": 0,
                 "eps": 0.1, "steps": 3, "drop_step": 1, "train_subset": 128, "batch_size": 32, "epochs": 1,
                 "lr": 0.05, "seed": 11, "shards_per_batch": 2}""";
        Response created = given().contentType(ContentType.JSON).body(body).when().post("/jobs");
        created.then().statusCode(201).body("settings.shards_per_batch", is(2)).body("settings.alpha", is(0.025f))
                .body("settings.batches_in_flight", is(1));
        String id = created.jsonPath().getString("id");
        assertTrue(created.getHeader("Location").endsWith("/jobs/" + id));

        List<AttackRequest> seen = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        awaitTrue(Duration.ofSeconds(90), () -> {
            answer(seen, keys);
            return "COMPLETED".equals(state(id));
        });

        // 128 examples / 32 = 4 batches, 2 shards each, offsets 0 and 16, keyed <job>/<step>/<shard>
        assertEquals(8, seen.size());
        for (AttackRequest r : seen) {
            assertEquals(2, r.shardCount());
            assertEquals(r.shardIndex() * 16, r.shardOffset());
            assertEquals(16, r.rows());
            assertEquals("linear", r.arch());
            assertEquals("ham", r.settings().method());
        }
        assertTrue(keys.contains(id + "/3/1"), keys.toString());

        Response job = given().when().get("/jobs/" + id);
        job.then().statusCode(200).body("state", equalTo("COMPLETED")).body("progress.step", is(4))
                .body("progress.epochs", is(1)).body("progress.batches_per_epoch", is(4))
                .body("progress.last_checkpoint_key", equalTo("jobs/" + id + "/checkpoints/epoch-1.npz"));
        String sha = job.jsonPath().getString("progress.last_checkpoint_sha256");
        assertEquals(ObjectStore.sha256(store.get("jobs/" + id + "/checkpoints/epoch-1.npz")), sha);

        // progress on ham.training.progress ends COMPLETED; one checkpoint announced with the same sha256
        List<TrainingProgress> progress = connector.<byte[]>sink("training-progress").received().stream()
                .map(m -> Codec.fromBytes(m.getPayload(), TrainingProgress.class))
                .filter(p -> p.jobId().equals(id)).toList();
        assertEquals("COMPLETED", progress.get(progress.size() - 1).state());
        assertTrue(progress.stream().anyMatch(p -> p.state().equals("EPOCH_DONE") && p.step() == 4));
        List<CheckpointAnnouncement> checkpoints = connector.<byte[]>sink("checkpoints").received().stream()
                .map(m -> Codec.fromBytes(m.getPayload(), CheckpointAnnouncement.class)).toList();
        assertEquals(1, checkpoints.size());
        assertEquals(sha, checkpoints.get(0).sha256());
        assertEquals(0, checkpoints.get(0).epoch());
        // signed with the key eval-service checks against
        assertNull(org.hamkafka.contracts.CheckpointSignature.problem(org.hamkafka.contracts.CheckpointSignature.key(
                org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("ham.checkpoint.signing-key",
                        String.class)), checkpoints.get(0)), "the trainer signs its announcements");

        // a finished job cannot be cancelled
        given().when().post("/jobs/" + id + "/cancel").then().statusCode(409);
        given().when().get("/jobs").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
        // a page at a time, newest first: this job is the newest
        given().when().get("/jobs?limit=1").then().statusCode(200).body("size()", is(1)).body("[0].id", equalTo(id));
        given().when().get("/jobs?limit=1&offset=1").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(id)));
        given().when().get("/jobs?limit=100000").then().statusCode(400).body("field", equalTo("limit"));
        given().when().get("/jobs/" + id + "/events").then().statusCode(200)
                .body("kind", org.hamcrest.Matchers.hasItems("QUEUED", "RUNNING", "CHECKPOINT", "COMPLETED"));
    }

    @Test
    void runningJobIsCancelled() {
        String body = """
                {"model": "linear", "method": "pgd-at", "steps": 2, "train_subset": 64, "batch_size": 32,
                 "epochs": 3, "seed": 3}""";
        String id = given().contentType(ContentType.JSON).body(body).when().post("/jobs")
                .then().statusCode(201).extract().path("id");
        // nobody answers: the job waits for its first attack result
        awaitTrue(Duration.ofSeconds(60), () -> !connector.sink("attack-requests").received().isEmpty());
        assertEquals("RUNNING", state(id));
        given().when().post("/jobs/" + id + "/cancel").then().statusCode(202);
        awaitTrue(Duration.ofSeconds(30), () -> "CANCELLED".equals(state(id)));
        given().when().get("/jobs/" + id).then().body("progress.step", is(0)).body("error", org.hamcrest.Matchers.nullValue());
        given().when().post("/jobs/" + id + "/cancel").then().statusCode(409);
    }

    /**
     * With both worker threads busy, a third job waits QUEUED; cancelling it ends it at once (it
     * showed QUEUED until a thread came free), and QUEUED and CANCELLED both reach ham.training.progress.
     */
    @Test
    void aQueuedJobIsCancelledAtOnceAndItsStatesArePublished() {
        String body = """
                {"model": "linear", "method": "pgd-at", "steps": 2, "train_subset": 64, "batch_size": 32,
                 "epochs": 3, "seed": %d}""";
        // nobody answers: the first two hold both threads (ham.trainer.max-concurrent-jobs = 2), waiting for results
        List<String> busy = new java.util.ArrayList<>();
        for (int seed = 11; seed <= 12; seed++) {
            busy.add(given().contentType(ContentType.JSON).body(body.formatted(seed)).when().post("/jobs")
                    .then().statusCode(201).extract().path("id"));
        }
        awaitTrue(Duration.ofSeconds(60), () -> busy.stream().allMatch(b -> "RUNNING".equals(state(b))));
        String waiting = given().contentType(ContentType.JSON).body(body.formatted(13)).when().post("/jobs")
                .then().statusCode(201).extract().path("id");
        assertEquals("QUEUED", state(waiting));
        given().when().post("/jobs/" + waiting + "/cancel").then().statusCode(202).body("state", equalTo("CANCELLED"));
        assertEquals("CANCELLED", state(waiting), "ended at once, not when a thread comes free");
        List<String> published = connector.<byte[]>sink("training-progress").received().stream()
                .map(m -> Codec.fromBytes(m.getPayload(), TrainingProgress.class))
                .filter(p -> p.jobId().equals(waiting)).map(TrainingProgress::state).toList();
        assertEquals(List.of("QUEUED", "CANCELLED"), published);
        for (String b : busy) {
            given().when().post("/jobs/" + b + "/cancel").then().statusCode(202);
            awaitTrue(Duration.ofSeconds(30), () -> "CANCELLED".equals(state(b)));
        }
        // the freed threads never ran the cancelled job
        given().when().get("/jobs/" + waiting + "/events").then().statusCode(200)
                .body("kind", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("RUNNING")));
    }

    private void answer(List<AttackRequest> seen, List<String> keys) {
        InMemorySink<byte[]> sink = connector.sink("attack-requests");
        // the consumer takes Kafka records (it dead-letters a malformed one with its topic, partition and offset)
        InMemorySource<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> results =
                connector.source("attack-results");
        List<? extends Message<byte[]>> received = sink.received();
        for (; answered < received.size(); answered++) {
            Message<byte[]> m = received.get(answered);
            AttackRequest req = Codec.fromBytes(m.getPayload(), AttackRequest.class);
            seen.add(req);
            m.getMetadata(OutgoingKafkaRecordMetadata.class).ifPresent(md -> keys.add(String.valueOf(md.getKey())));
            results.send(new org.apache.kafka.clients.consumer.ConsumerRecord<>("ham.attack.results", 0, 0, req.jobId(),
                    Codec.toBytes(half.attack(req))));
        }
    }

    /** As a worker does: the bytes that came with the snapshot's announcement on "models", else S3. */
    private byte[] snapshotBytes(String key) {
        List<? extends Message<byte[]>> announced = connector.<byte[]>sink("models").received();
        for (int i = announced.size() - 1; i >= 0; i--) {
            ModelSnapshot a = Codec.fromBytes(announced.get(i).getPayload(), ModelSnapshot.class);
            if (a.objectKey().equals(key)) {
                return a.npz() != null ? a.npz() : store.get(key);
            }
        }
        throw new AssertionError("snapshot " + key + " was never announced");
    }

    private static String state(String id) {
        return given().when().get("/jobs/" + id).then().statusCode(200).extract().path("state");
    }

    static void awaitTrue(Duration max, BooleanSupplier condition) {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertTrue(condition.getAsBoolean(), "condition not met within " + max);
    }

}
