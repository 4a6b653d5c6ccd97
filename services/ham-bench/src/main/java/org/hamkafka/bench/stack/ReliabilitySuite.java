package org.hamkafka.bench.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.DeadLetter;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Topics;
import org.hamkafka.local.ServiceProcess;
import org.hamkafka.local.Stack;
import org.hamkafka.local.SystemTopics;
import org.hamkafka.local.TrainerClient;

/**
 * Faults injected into a running local stack while one job trains, and whether the system held: an absurd job,
 * a bounded REST fuzz, malformed records on four topics, attack requests for jobs that do not exist, kill -9 of
 * an attack worker, of eval-service and of the trainer (the stack's supervisor restarts them), a forged
 * checkpoint announcement. Held means: the job completed, every epoch was evaluated exactly once, every
 * malformed record was dead-lettered, no request got a 5xx, the forgery was rejected and never published.
 * Used by {@code ReliabilityIT} (CI's size) and {@code scripts/reliability.sh} (docs/reliability.md).
 */
public final class ReliabilitySuite {
    /** What to inject, and the job it is injected into. */
    public record Plan(int epochs, int trainSubset, int malformedPerTopic, int unknownJobRequests, int fuzzRequests,
                       Duration jobTimeout, long seed) {
    }

    /** One fault: what was done, what came of it, whether the system held. */
    public record Row(String fault, String injected, String outcome, boolean held) {
    }

    public record Outcome(List<Row> rows, String jobId, long recordsSent, long deadLettered, long lost) {
        public boolean allHeld() {
            return lost == 0 && rows.stream().allMatch(Row::held);
        }

        public String markdown() {
            StringBuilder b = new StringBuilder("| fault | injected | outcome | held |\n| --- | --- | --- | --- |\n");
            for (Row r : rows) {
                b.append("| ").append(r.fault()).append(" | ").append(r.injected()).append(" | ").append(r.outcome())
                        .append(" | ").append(r.held() ? "yes" : "**no**").append(" |\n");
            }
            b.append("\nrecords sent: ").append(recordsSent).append(", dead-lettered: ").append(deadLettered)
                    .append(", lost: ").append(lost).append('\n');
            return b.toString();
        }
    }

    private static final String FLOOD_KEY = "reliability-flood-";
    private static final List<String> FLOODED = List.of(Topics.ATTACK_REQUESTS, Topics.ATTACK_RESULTS,
            Topics.CHECKPOINTS, Topics.MODELS);

    private final Stack stack;
    private final Plan plan;
    private final PrintStream log;
    // HTTP/1.1: the JDK client's h2c upgrade of a request with a body is not what a user's client does
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private int closedConnections;
    private final List<Row> rows = new ArrayList<>();

    public ReliabilitySuite(Stack stack, Plan plan, PrintStream log) {
        this.stack = stack;
        this.plan = plan;
        this.log = log;
    }

    /** Runs every fault against the started, supervised stack. */
    public Outcome run() throws Exception {
        absurdJob();
        int fiveHundreds = fuzz();
        boolean stillUp = send("GET", stack.trainer().url() + "/q/health/ready", null).statusCode() == 200
                && send("GET", stack.eval().url() + "/q/health/ready", null).statusCode() == 200;
        rows.add(new Row("REST fuzz (trainer and eval)", plan.fuzzRequests() + " requests: random paths, bodies, "
                + "types, sizes", fiveHundreds + " answered 5xx, " + closedConnections + " closed by the server "
                + "without an answer; both still ready", fiveHundreds == 0 && stillUp));

        TrainerClient trainer = stack.trainerClient();
        ObjectNode request = TrainerClient.newRequest();
        request.put("dataset", "fashion-mnist").put("model", "tiny-cnn").put("method", "ham").put("warmup_epochs", 1)
                .put("epochs", plan.epochs()).put("train_subset", plan.trainSubset()).put("test_subset", 100)
                .put("batch_size", 128).put("lr", 0.01).put("seed", plan.seed()).put("shards_per_batch", 2)
                .putArray("eval_attacks").add("fgsm");
        int stepsPerEpoch = (plan.trainSubset() + 127) / 128;
        int steps = stepsPerEpoch * plan.epochs();
        try (SystemTopics topics = new SystemTopics(stack.bootstrapServers());
             KafkaProducer<String, byte[]> producer = producer()) {
            String id = trainer.submit(request).path("id").asText();
            log.println("reliability: job " + id + ", " + steps + " steps");
            long deadline = System.nanoTime() + plan.jobTimeout().toNanos();
            boolean flooded = false;
            boolean workerKilled = false;
            boolean evalKilled = false;
            boolean trainerKilled = false;
            long trainerKilledAt = -1;
            long recordsSent = 0;
            JsonNode job = null;
            while (job == null || !TrainerClient.FINAL_STATES.contains(TrainerClient.state(job))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("job " + id + " did not finish within " + plan.jobTimeout());
                }
                if (stack.deadChild().isPresent()) {
                    throw new IllegalStateException(stack.deadChild().get().name() + " stayed down; see "
                            + stack.deadChild().get().logFile());
                }
                Thread.sleep(500);
                try {
                    job = trainer.job(id);
                } catch (IOException e) {
                    continue; // the trainer is being restarted
                }
                long step = job.path("progress").path("step").asLong(0);
                if (!flooded && step >= 1) {
                    recordsSent += malformedFlood(producer) + unknownJobFlood(producer, id);
                    flooded = true;
                }
                if (!workerKilled && step >= Math.max(2, stepsPerEpoch / 2)) {
                    kill(stack.attackWorkers().get(0), "mid-epoch 1 (step " + step + ")");
                    workerKilled = true;
                }
                if (!evalKilled && !topics.evalResults(id).isEmpty()) {
                    kill(stack.eval(), "after its first evaluation of the job");
                    recordsSent += forgedCheckpoint(producer, id);
                    evalKilled = true;
                }
                if (!trainerKilled && step >= stepsPerEpoch + 2 && step < steps - 1) {
                    kill(stack.trainer(), "at step " + step + " of " + steps);
                    trainerKilled = true;
                    trainerKilledAt = step;
                }
            }
            if (!evalKilled) {
                // the job outran its first evaluation: kill eval-service once that is out, before the later ones
                try {
                    topics.awaitEval(id, e -> true, Duration.ofMinutes(2));
                } catch (TimeoutException e) {
                    log.println("reliability: " + e.getMessage());
                }
                kill(stack.eval(), "after its first evaluation of the job (the job had finished)");
                recordsSent += forgedCheckpoint(producer, id);
                evalKilled = true;
            }
            String state = TrainerClient.state(job);
            rows.add(new Row("the job, through all of the below", steps + " steps, " + plan.epochs() + " epochs",
                    state, "COMPLETED".equals(state)));
            faultRow("kill -9 attack worker", workerKilled, "restarted " + stack.restarts(stack.attackWorkers().get(0).name())
                    + "×; the trainer resent its requests");
            faultRow("kill -9 trainer-service", trainerKilled, "restarted " + stack.restarts(stack.trainer().name())
                    + "×; resumed the job (killed at step " + trainerKilledAt + ")");

            // every epoch evaluated, each exactly once, and the forgery never
            int lastEpoch = plan.epochs() - 1;
            try {
                topics.awaitEval(id, e -> e.epoch() >= lastEpoch, Duration.ofMinutes(5));
            } catch (TimeoutException e) {
                log.println("reliability: " + e.getMessage());
            }
            Thread.sleep(3000); // a duplicate would come right after
            Map<Integer, Integer> perEpoch = new TreeMap<>();
            Map<Integer, EvalResult> firstOf = new TreeMap<>();
            boolean duplicatesIdentical = true;
            for (EvalResult e : topics.evalResults(id)) {
                perEpoch.merge(e.epoch(), 1, Integer::sum);
                EvalResult first = firstOf.putIfAbsent(e.epoch(), e);
                // as JSON: the record's arrays compare by reference
                duplicatesIdentical &= first == null || Codec.toJson(first).equals(Codec.toJson(e));
            }
            // docs/reliability.md: a kill between publishing a result and marking it published republishes the
            // stored result at restart; that identical copy is the documented window, anything else is a failure
            long republished = perEpoch.values().stream().mapToLong(n -> n - 1).sum();
            boolean oneResultPerEpoch = perEpoch.size() == plan.epochs() && duplicatesIdentical;
            rows.add(new Row("kill -9 eval-service", evalKilled ? "once, during the job" : "not reached",
                    "restarted " + stack.restarts(stack.eval().name()) + "×; evaluations per epoch " + perEpoch
                            + (republished == 0 ? "" : "; " + republished + " republication(s) of a stored result (the "
                            + "publish-then-mark window), " + (duplicatesIdentical ? "identical" : "NOT identical")),
                    evalKilled && oneResultPerEpoch));
            // the forgery: refused with its reason on ham.checkpoints.dlq, never an evaluation on ham.eval.results
            String refusal = deadLetterReason(Topics.CHECKPOINTS, Topics.key(id), "epoch 99");
            boolean rejected = refusal != null && !perEpoch.containsKey(99);
            rows.add(new Row("forged checkpoint announcement", "epoch 99, the job's real weights, signed with "
                    + "another key", (refusal == null ? "not refused" : "dead-lettered: " + firstLine(refusal))
                    + (perEpoch.containsKey(99) ? "; PUBLISHED" : "; never published"), rejected));

            long deadLettered = countDeadLetters();
            long malformed = (long) plan.malformedPerTopic() * FLOODED.size();
            rows.add(new Row("malformed records", plan.malformedPerTopic() + " on each of " + String.join(", ", FLOODED),
                    deadLettered + " of " + malformed + " dead-lettered with a reason", deadLettered == malformed));
            rows.add(new Row("attack requests for unknown jobs", plan.unknownJobRequests() + " (a real request, "
                    + "another job id)", "the job " + state.toLowerCase(java.util.Locale.ROOT) + " beside them",
                    "COMPLETED".equals(state)));
            long lost = ("COMPLETED".equals(state) ? 0 : 1) + (plan.epochs() - perEpoch.size())
                    + Math.max(0, malformed - deadLettered);
            return new Outcome(List.copyOf(rows), id, recordsSent, deadLettered, lost);
        }
    }

    private void faultRow(String fault, boolean injected, String outcome) {
        rows.add(new Row(fault, injected ? "once, during the job" : "not reached", outcome, injected));
    }

    private void kill(ServiceProcess p, String when) {
        log.println("reliability: kill -9 " + p.name() + " (pid " + p.pid() + ") " + when);
        p.handle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.handle().destroyForcibly();
    }

    private void absurdJob() throws Exception {
        String body = "{\"method\":\"pgd-at\",\"steps\":20000,\"epochs\":1,\"train_subset\":256}";
        HttpResponse<String> r = send("POST", stack.trainer().url() + "/jobs", body);
        boolean held = r.statusCode() == 400 && r.body().contains("steps");
        rows.add(new Row("absurd job", "POST " + body, "HTTP " + r.statusCode() + ": " + firstLine(r.body()), held));
    }

    /** Random requests against both REST APIs with an operator's token; returns how many answered 5xx. */
    private int fuzz() throws Exception {
        Random rnd = new Random(plan.seed());
        String[] paths = {"/jobs", "/jobs/", "/jobs/%s", "/jobs/%s/cancel", "/jobs/%s/events", "/jobs?limit=%s",
                "/jobs?limit=10&offset=%s", "/results?job=%s", "/results/%s/latest", "/results/%s/%s",
                "/results/%s/latest/card", "/results/compare?base=%s&candidate=%s"};
        String[] values = {"", "x", "-1", "0", "99999999999999999999", "%00", "%2e%2e%2f", "null", "{}", "[]",
                "\"", "'", "1e309", "NaN", "a".repeat(300), "%ff%fe", "ham", "jobs"};
        String[] bodies = {"", "{", "}", "[]", "null", "1", "\"x\"", "{\"epochs\":\"many\"}", "{\"epochs\":1.5}",
                "{\"eps\":1e309}", "{\"drop_step\":-1}", "{\"model\":\"wrn-0-0\"}", "{\"dataset\":\"idx:../x\"}",
                "{\"eval_attacks\":[" + "\"pgd-1\",".repeat(20) + "\"pgd-1\"]}", "{\"a\":" + "[".repeat(2000) + "]",
                "{\"epochs\":1} trailing", "{\"epochs\":1,\"epochs\":2}", "x".repeat(70 * 1024)};
        String[] methods = {"GET", "POST", "PUT", "DELETE"};
        int fiveHundreds = 0;
        for (int i = 0; i < plan.fuzzRequests(); i++) {
            String base = rnd.nextBoolean() ? stack.trainer().url() : stack.eval().url();
            String path = paths[rnd.nextInt(paths.length)];
            path = path.replaceFirst("%s", values[rnd.nextInt(values.length)])
                    .replaceFirst("%s", values[rnd.nextInt(values.length)]);
            String method = methods[rnd.nextInt(methods.length)];
            String body = method.equals("GET") || method.equals("DELETE") ? null : bodies[rnd.nextInt(bodies.length)];
            HttpResponse<String> r;
            try {
                r = send(method, base + path, body);
            } catch (IllegalArgumentException e) {
                continue; // not even a URI: no request was made
            } catch (IOException e) {
                closedConnections++; // e.g. a body over the limit: refused before it is read
                log.println("reliability: " + method + " " + path + " -> connection closed: " + e.getMessage());
                continue;
            }
            if (r.statusCode() >= 500) {
                fiveHundreds++;
                log.println("reliability: " + method + " " + path + " -> " + r.statusCode() + " " + firstLine(r.body()));
            }
        }
        return fiveHundreds;
    }

    private long malformedFlood(KafkaProducer<String, byte[]> producer) {
        Random rnd = new Random(plan.seed() + 1);
        long sent = 0;
        for (String topic : FLOODED) {
            for (int i = 0; i < plan.malformedPerTopic(); i++) {
                byte[] garbage = switch (i % 4) {
                    case 0 -> "not json".getBytes(StandardCharsets.UTF_8);
                    case 1 -> "{\"schema_version\":1}".getBytes(StandardCharsets.UTF_8);
                    case 2 -> "{\"schema_version\":999,\"job_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
                    default -> {
                        byte[] b = new byte[64 + rnd.nextInt(512)];
                        rnd.nextBytes(b);
                        yield b;
                    }
                };
                producer.send(new ProducerRecord<>(topic, FLOOD_KEY + topic + "-" + i, garbage));
                sent++;
            }
        }
        producer.flush();
        log.println("reliability: " + sent + " malformed records sent");
        return sent;
    }

    /** Copies of one of the job's own attack requests, each under a job id that does not exist. */
    private long unknownJobFlood(KafkaProducer<String, byte[]> producer, String jobId) {
        AttackRequest real = firstRequestOf(jobId);
        if (real == null) {
            log.println("reliability: no attack request of " + jobId + " read; unknown-job flood skipped");
            return 0;
        }
        for (int i = 0; i < plan.unknownJobRequests(); i++) {
            String ghost = "no-such-job-" + i;
            producer.send(new ProducerRecord<>(Topics.ATTACK_REQUESTS, Topics.key(ghost), Codec.toBytes(forJob(real, ghost))));
        }
        producer.flush();
        log.println("reliability: " + plan.unknownJobRequests() + " attack requests for unknown jobs sent");
        return plan.unknownJobRequests();
    }

    /** The request as if sent for {@code jobId}, in the same schema version (so the same wire form). */
    private static AttackRequest forJob(AttackRequest r, String jobId) {
        return new AttackRequest(r.schemaVersion(), jobId, r.step(), r.epoch(), r.batchIndex(), r.shardIndex(),
                r.shardCount(), r.shardOffset(), r.modelVersion(), r.modelKey(), r.arch(), r.dataset(), r.settings(),
                r.seed(), r.exampleIds(), r.images(), r.labels());
    }

    private AttackRequest firstRequestOf(String jobId) {
        try (KafkaConsumer<String, byte[]> c = fromBeginning(List.of(Topics.ATTACK_REQUESTS))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    try {
                        AttackRequest a = Codec.fromBytes(r.value(), AttackRequest.class);
                        if (a.jobId().equals(jobId)) {
                            return a;
                        }
                    } catch (RuntimeException e) {
                        // one of the flood's, or another job's in an older format
                    }
                }
            }
        }
        return null;
    }

    /** An announcement of an epoch the job never had, for its real weights, signed with a key not the trainer's. */
    private long forgedCheckpoint(KafkaProducer<String, byte[]> producer, String jobId) throws Exception {
        JsonNode job = stack.trainerClient().job(jobId);
        String key = job.path("progress").path("last_checkpoint_key").asText();
        String sha = job.path("progress").path("last_checkpoint_sha256").asText();
        CheckpointAnnouncement forged = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, jobId, 99, key, sha,
                "tiny-cnn", "fashion-mnist", 0.1f, "ham", Instant.now(), List.of("fgsm"), 100, null)
                .signedWith("an-attacker-who-guessed-the-format-but-not-the-key".getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, Topics.key(jobId), Codec.toBytes(forged)));
        producer.flush();
        log.println("reliability: forged announcement of epoch 99 sent");
        return 1;
    }

    /** Dead letters of the malformed flood, on each flooded topic's dead-letter topic. */
    private long countDeadLetters() {
        try (KafkaConsumer<String, byte[]> c = fromBeginning(FLOODED.stream().map(Topics::dlq).toList())) {
            Set<String> seen = new java.util.HashSet<>();
            long expected = (long) plan.malformedPerTopic() * FLOODED.size();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && r.key().startsWith(FLOOD_KEY)) {
                        seen.add(r.key());
                    }
                }
            }
            return seen.size();
        }
    }

    /** The reason of the first dead letter of {@code topic} with this key whose reason mentions {@code mention}. */
    private String deadLetterReason(String topic, String key, String mention) {
        try (KafkaConsumer<String, byte[]> c = fromBeginning(List.of(Topics.dlq(topic)))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        try {
                            String reason = Codec.fromBytes(r.value(), DeadLetter.class).reason();
                            if (reason != null && reason.contains(mention)) {
                                return reason;
                            }
                        } catch (RuntimeException e) {
                            // not a DeadLetter: not ours
                        }
                    }
                }
            }
        }
        return null;
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** A consumer of every partition of {@code topics}, from the first record (no group, nothing committed). */
    private KafkaConsumer<String, byte[]> fromBeginning(List<String> topics) {
        KafkaConsumer<String, byte[]> c = consumer();
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            c.partitionsFor(t, Duration.ofSeconds(30)).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
        }
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + stack.operatorToken());
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String body(String url) throws Exception {
        return send("GET", url, null).body();
    }

    private static String firstLine(String s) {
        String one = s == null ? "" : s.strip().lines().findFirst().orElse("");
        return one.length() > 160 ? one.substring(0, 160) + "…" : one;
    }
}
