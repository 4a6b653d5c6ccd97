package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A job survives a crash of trainer-service: the trainer process is killed hard (SIGKILL) in the middle of a
 * job, a new trainer process starts with the same settings, continues the job from its last resume state in
 * S3 (written every 2 steps here), and the job's final checkpoint equals, byte for byte, what ham-core's
 * in-process {@link TrainingRun} produces with the same settings and seed: the restart loses nothing and
 * repeats nothing that changes the weights.
 */
class TrainerRestartIT {
    private static final int TRAIN = 512;
    private static final int BATCH = 64;
    private static final int EPOCHS = 2;
    private static final int TEST = 20;
    private static final float LR = 0.01f;
    private static final long SEED = 7;
    private static final int STEPS_TOTAL = EPOCHS * TRAIN / BATCH; // 16
    private static final int KILL_AT_STEP = 4;
    private static final Pattern STEPS_DONE = Pattern.compile("\\((\\d+) steps done");

    @Test
    @Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
    void killedTrainerContinuesTheJobToTheSameWeights() throws Exception {
        Path repo = Path.of(System.getProperty("ham.repo.dir", "../.."));
        Path out = Path.of(System.getProperty("ham.local.out", "target/e2e")).resolve("trainer-restart");
        Path data = DataCheck.dataRoot(null, System.getenv());
        List<String> missing = DataCheck.missingFashionMnist(data);
        assertTrue(missing.isEmpty(), () -> DataCheck.howToGet(data, missing) + "\n(scripts/setup.sh installs it)");

        // the reference first, before the services compete for the cores
        TrainConfig cfg = TrainConfig.defaults("fashion-mnist").with(p -> {
            p.dataDir = data.resolve("fashion-mnist").toString();
            p.device = "cpu";
            p.model = "tiny-cnn";
            p.method = "ham";
            p.epochs = EPOCHS;
            p.warmupEpochs = 0;
            p.trainSubset = TRAIN;
            p.testSubset = TEST;
            p.batchSize = BATCH;
            p.lr = LR;
            p.seed = SEED;
        });
        byte[] reference;
        TrainingRun run = new TrainingRun(cfg);
        Dataset train = TrainingRun.loadTrain(cfg);
        // one intra-op thread here and in every service (below): on some CPUs (seen on an Intel Xeon, not on
        // an AMD EPYC) PyTorch's kernels sum in a thread-count-dependent order, and "byte for byte" needs the
        // same order on both sides
        try (Classifier f = run.newModel(train)) { // (the engine is loaded from here on)
            int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
            try {
                run.train(f, train);
            } finally {
                ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
            }
            reference = ModelWeights.exportNpz(f);
        }

        PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        // a resume state every 2 steps (default 20), so the crash at step >= 4 has one to continue from;
        // the killed trainer never leaves its consumer group: the broker evicts it after the session timeout
        // (45 s by default), and only then does the new trainer receive attack results, so shorten it (as
        // kafka.session.timeout.ms, the default of every Kafka client of the trainer: an env name for the
        // attack-results channel alone would be read as a channel "attack")
        StackSettings settings = new StackSettings(repo, out, data, 1, 0, 0, 0, 2, "fgsm", TEST,
                Duration.ofMinutes(3), List.of("-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true",
                "-XX:TieredStopAtLevel=1", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"),
                Map.of("HAM_ATTACK_THREADS", "1"),
                Map.of("HAM_TRAINER_STATE_EVERY_STEPS", "2",
                        "KAFKA_SESSION_TIMEOUT_MS", "10000"));
        Stack stack = new Stack(settings, log);
        List<ProcessHandle> children = new ArrayList<>();
        List<Integer> ports;
        try {
            stack.start();
            children.addAll(stack.children().stream().map(ServiceProcess::handle).toList());
            TrainerClient trainer = stack.trainerClient();

            ObjectNode request = JobRun.fashionMnistRequest("ham", "tiny-cnn", EPOCHS, TRAIN, TEST, 1, 0, SEED);
            request.put("lr", LR);
            request.put("batch_size", BATCH);
            request.put("batches_in_flight", 1);
            String id = trainer.submit(request).path("id").asText();

            // crash in the middle: some resume state written, steps still to run
            JsonNode job = trainer.job(id);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (step(job) < KILL_AT_STEP) {
                assertFalse(TrainerClient.FINAL_STATES.contains(TrainerClient.state(job)),
                        () -> "job ended before the crash: " + trainer.baseUrl());
                assertTrue(stack.deadChild().isEmpty(), () -> stack.deadChild().get() + " died");
                assertTrue(System.nanoTime() < deadline, "job did not reach step " + KILL_AT_STEP + " in 2 minutes");
                Thread.sleep(100);
                job = trainer.job(id);
            }
            long stepAtKill = step(job);
            stack.killTrainer(Duration.ofSeconds(30));
            log.println("killed the trainer at step " + stepAtKill + " of " + STEPS_TOTAL);
            assertTrue(stepAtKill < STEPS_TOTAL, "the job had finished training when the trainer was killed");

            // what the crash left in PostgreSQL: the job still RUNNING, with a resume point before the crash
            long resumeStep;
            try (Connection c = DriverManager.getConnection(stack.jdbcUrl(StackSettings.TRAINER_DB),
                    stack.infra().postgres().username(), stack.infra().postgres().password());
                 PreparedStatement q = c.prepareStatement(
                         "SELECT state, resume_key, resume_step FROM training_job WHERE id = ?")) {
                q.setString(1, id);
                try (ResultSet r = q.executeQuery()) {
                    assertTrue(r.next(), "job " + id + " not in the trainer's database");
                    assertEquals("RUNNING", r.getString("state"));
                    assertNotNull(r.getString("resume_key"), "no resume state was written before the crash");
                    resumeStep = r.getLong("resume_step");
                }
            }
            // (the job may have moved on a step between the last poll and the kill)
            assertTrue(resumeStep >= 2 && resumeStep < STEPS_TOTAL && resumeStep % 2 == 0,
                    "resume point " + resumeStep + " for a crash at step " + stepAtKill);

            stack.startTrainer();
            children.add(stack.trainer().handle());
            job = trainer.job(id);
            deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!TrainerClient.FINAL_STATES.contains(TrainerClient.state(job))) {
                assertTrue(stack.deadChild().isEmpty(), () -> stack.deadChild().get() + " died");
                assertTrue(System.nanoTime() < deadline, "job still " + TrainerClient.state(job) + " after the restart");
                Thread.sleep(500);
                job = trainer.job(id);
            }
            assertEquals("COMPLETED", TrainerClient.state(job), () -> "job ended with " + trainer.baseUrl());
            assertEquals(STEPS_TOTAL, step(job));

            // (b) the new trainer continued from the stored state rather than starting over
            JsonNode events = trainer.events(id);
            List<String> kinds = new ArrayList<>();
            events.forEach(e -> kinds.add(e.path("kind").asText()));
            JsonNode resumed = null;
            for (JsonNode e : events) {
                if ("RESUMED".equals(e.path("kind").asText())) {
                    assertTrue(resumed == null, "resumed twice: " + events);
                    resumed = e;
                }
            }
            assertNotNull(resumed, "no RESUMED event: " + kinds);
            Matcher m = STEPS_DONE.matcher(resumed.path("message").asText());
            assertTrue(m.find(), resumed.toString());
            assertEquals(resumeStep, Long.parseLong(m.group(1)), "resumed from another state than the stored one");
            assertTrue(kinds.stream().anyMatch("RUNNING"::equals), kinds.toString());
            String newLog = Files.readString(stack.trainer().logFile());
            assertTrue(newLog.contains("job " + id + " resumes from"), "the new trainer's log does not say it resumed");

            // (a) the final weights, byte for byte, as if nothing had happened
            String key = job.path("progress").path("last_checkpoint_key").asText();
            assertEquals("jobs/" + id + "/checkpoints/epoch-" + EPOCHS + ".npz", key);
            byte[] npz;
            try (MinioClient s3 = stack.infra().s3().newClient();
                 InputStream in = s3.getObject(GetObjectArgs.builder().bucket(stack.infra().bucket()).object(key).build())) {
                npz = in.readAllBytes();
            }
            assertEquals(job.path("progress").path("last_checkpoint_sha256").asText(), ModelWeights.sha256(npz));
            if (!java.util.Arrays.equals(reference, npz)) {
                fail("final checkpoint differs from the in-process run: " + largestDifference(reference, npz));
            }
        } finally {
            ports = stack.ports();
            stack.close();
        }
        for (ProcessHandle p : children) {
            assertFalse(p.isAlive(), "service process " + p.pid() + " still running after close");
        }
        for (int port : ports) {
            assertTrue(Ports.isFree(port), "port " + port + " still in use after close");
        }
    }

    private static long step(JsonNode job) {
        return job.path("progress").path("step").asLong(0);
    }

    /** For the failure message: the parameter whose values differ most between the two npz files. */
    private static String largestDifference(byte[] a, byte[] b) {
        Map<String, float[]> x = values(a);
        Map<String, float[]> y = values(b);
        String worst = "";
        double max = -1;
        for (var e : x.entrySet()) {
            float[] v = e.getValue();
            float[] w = y.get(e.getKey());
            for (int i = 0; i < v.length; i++) {
                double d = Math.abs(v[i] - w[i]);
                if (d > max) {
                    max = d;
                    worst = e.getKey() + "[" + i + "]: " + v[i] + " vs " + w[i];
                }
            }
        }
        return "max |difference| " + max + " at " + worst;
    }

    private static Map<String, float[]> values(byte[] npz) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Classifier f = Classifier.fromNpz("tiny-cnn", Datasets.info("fashion-mnist"), Device.cpu(),
                new ByteArrayInputStream(npz))) {
            for (Pair<String, Parameter> p : f.block().getParameters()) {
                NDArray a = p.getValue().getArray();
                out.put(p.getKey(), a.toFloatArray());
            }
        }
        return out;
    }
}
