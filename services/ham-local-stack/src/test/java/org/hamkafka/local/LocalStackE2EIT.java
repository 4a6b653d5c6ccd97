package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The system end to end, as a user runs it: real Kafka, S3 and PostgreSQL, the three services from their
 * packaged fast-jars as separate processes, a tiny HAM job on real Fashion-MNIST submitted through the
 * trainer's REST API, its evaluation read from ham.eval.results with a real consumer and from eval-service's
 * database; then everything stopped, no process and no port left behind.
 */
class LocalStackE2EIT {
    private static final int TRAIN = 256;
    private static final int TEST = 100;
    private static final int STEPS = 10; // K, the trainer's default for Fashion-MNIST

    @Test
    @Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
    void trainsEvaluatesAndStopsCleanly() throws Exception {
        Path repo = Path.of(System.getProperty("ham.repo.dir", "../.."));
        Path out = Path.of(System.getProperty("ham.local.out", "target/e2e"));
        Path data = DataCheck.dataRoot(null, System.getenv());
        List<String> missing = DataCheck.missingFashionMnist(data);
        assertTrue(missing.isEmpty(), () -> DataCheck.howToGet(data, missing) + "\n(scripts/setup.sh installs it)");

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
        // the services' traces come here (tracing is off unless a collector is named)
        TraceCollector traces = TraceCollector.start();
        Map<String, String> env = new java.util.HashMap<>(traces.serviceEnv());
        env.put("HAM_ATTACK_THREADS", "1");
        StackSettings settings = new StackSettings(repo, out, data, 1, 0, 0, 0, 4, "pgd-20", TEST,
                Duration.ofMinutes(3), List.of("-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true",
                "-XX:TieredStopAtLevel=1"), env);
        Stack stack = new Stack(settings, log);
        List<ProcessHandle> children;
        List<Integer> ports;
        try {
            stack.start();
            children = stack.children().stream().map(ServiceProcess::handle).toList();
            ports = stack.ports();
            assertEquals(3, children.size());

            var request = JobRun.fashionMnistRequest("ham", "tiny-cnn", 1, TRAIN, TEST, 1, 0, 1L);
            JobRun.Outcome o = JobRun.run(stack, request, Duration.ofMinutes(3), Duration.ofMinutes(2),
                    new JobRun.Listener() {
                        @Override
                        public void progress(JsonNode job) {
                            log.println("  job " + TrainerClient.state(job) + " step " + job.path("progress").path("step"));
                        }
                    });
            String id = o.jobId();

            // the trainer says COMPLETED, and names the checkpoint that was evaluated
            JsonNode job = stack.trainerClient().job(id);
            assertEquals("COMPLETED", TrainerClient.state(job));
            assertEquals(job.path("progress").path("last_checkpoint_key").asText(), o.eval().checkpointKey());
            assertEquals(job.path("progress").path("last_checkpoint_sha256").asText(), o.eval().sha256());

            // the built services serve their API description and Swagger UI (the README points users there)
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
            for (ServiceProcess svc : List.of(stack.trainer(), stack.eval())) {
                java.net.http.HttpResponse<String> ui = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(svc.url() + "/q/swagger-ui/")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ui.statusCode(), svc + " /q/swagger-ui/");
                assertTrue(ui.body().toLowerCase(java.util.Locale.ROOT).contains("swagger"), svc + ": " + ui.body());
            }
            // the built services take the stack's token, and nothing else: results need it, a call without is 401
            String token = java.nio.file.Files.readString(stack.tokenFile()).strip();
            for (String path : List.of("/results?job=" + id, "/q/metrics")) {
                java.net.http.HttpResponse<String> none = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(stack.eval().url() + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(401, none.statusCode(), path + " without a token");
                java.net.http.HttpResponse<String> with = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(stack.eval().url() + path)).header("Authorization", "Bearer " + token).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, with.statusCode(), path + " with the stack's token: " + with.body());
            }
            // the dashboard the stack prints: the job's page names the job, its chart library is served, and the
            // jobs list its data come from (with the token) holds the job
            String page = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    stack.eval().url() + "/dashboard/jobs/" + id)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(page.contains(id), "the dashboard page of job " + id + ": " + page);
            java.util.regex.Matcher echarts = java.util.regex.Pattern
                    .compile("[^\"]*webjars/echarts/[^\"]*echarts\\.min\\.js").matcher(page);
            assertTrue(echarts.find(), "the page loads ECharts: " + page);
            assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.eval().url()
                    + (echarts.group().startsWith("/") ? "" : "/") + echarts.group())).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(), echarts.group());
            assertTrue(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.eval().url()
                    + "/results/jobs")).header("Authorization", "Bearer " + token).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body().contains(id), "/results/jobs lists " + id);

            // the evaluation as read from ham.eval.results
            EvalResult e = o.eval();
            // a signed announcement was evaluated, with the over-confident share per class under its attack
            assertEquals(10, e.overConfident().get("pgd-20").length, String.valueOf(e.overConfident()));
            assertEquals(id, e.jobId());
            assertEquals("fashion-mnist", e.dataset());
            assertEquals("ham", e.method());
            assertEquals("tiny-cnn", e.model());
            assertEquals(10, e.classes().size());
            checkClassWise(e.cleanAccuracy(), e.classes());
            checkClassWise(e.robustAccuracy(), e.classes());

            // ... and as eval-service stored it in PostgreSQL (ham_eval)
            try (Connection c = DriverManager.getConnection(stack.jdbcUrl(StackSettings.EVAL_DB),
                    stack.infra().postgres().username(), stack.infra().postgres().password());
                 PreparedStatement q = c.prepareStatement("SELECT status, examples, robust_worst, robust_average, "
                         + "clean_average, result_json FROM eval_results WHERE job_id = ? AND checkpoint_key = ?")) {
                q.setString(1, id);
                q.setString(2, e.checkpointKey());
                try (ResultSet r = q.executeQuery()) {
                    assertTrue(r.next(), "no row in eval_results for job " + id);
                    assertEquals("EVALUATED", r.getString("status"));
                    assertEquals(TEST, r.getInt("examples"));
                    assertEquals(e.robustAccuracy().worst(), r.getDouble("robust_worst"), 1e-9);
                    assertEquals(e.robustAccuracy().average(), r.getDouble("robust_average"), 1e-9);
                    assertEquals(e.cleanAccuracy().average(), r.getDouble("clean_average"), 1e-9);
                    EvalResult stored = Codec.fromJson(r.getString("result_json"), EvalResult.class);
                    assertEquals(e.classes(), stored.classes());
                    assertTrue(java.util.Arrays.equals(e.robustAccuracy().perClass(), stored.robustAccuracy().perClass()));
                    assertFalse(r.next(), "one row per checkpoint");
                }
            }

            // the evaluated checkpoint is in the bucket
            try (MinioClient s3 = stack.infra().s3().newClient()) {
                StatObjectResponse stat = s3.statObject(StatObjectArgs.builder().bucket(stack.infra().bucket())
                        .object(e.checkpointKey()).build());
                assertTrue(stat.size() > 0);
            }

            // the attack workers' cost, from ham.attack.results: every training example attacked once,
            // HAM stops the easy ones early, so at most K backward passes per example
            SystemTopics.AttackCost cost = o.cost();
            assertEquals(TRAIN, cost.examplesIn());
            assertTrue(cost.backwardRows() > 0 && cost.backwardRows() <= (long) STEPS * TRAIN, cost.toString());
            assertTrue(cost.dropped() >= 0 && cost.dropped() < TRAIN, cost.toString());

            checkOneTraceFollowsAStepThroughTheThreeServices(traces, id);

            String table = Report.classWiseTable(e);
            assertTrue(table.contains("<- worst robust"), table);
            log.println(table);
            log.println(Report.cost(o));
        } finally {
            stack.close();
            traces.close();
        }
        for (ProcessHandle p : children) {
            assertFalse(p.isAlive(), "service process " + p.pid() + " still running after close");
        }
        for (int port : ports) {
            assertTrue(Ports.isFree(port), "port " + port + " still in use after close");
        }
    }

    /**
     * Every step of the job is a trace of its own, and the epoch's last one goes on to eval-service: the trainer's
     * step, its request's way to the worker and the attack there, the result's way back and the training half,
     * the checkpoint's announcement and its evaluation, all under one trace id, each span's parent in it.
     */
    private static void checkOneTraceFollowsAStepThroughTheThreeServices(TraceCollector traces, String job)
            throws InterruptedException {
        Map<String, List<String>> expected = Map.of(
                "trainer-service", List.of("step", "encode", "await attack results", "transit", "decode", "train",
                        "checkpoint"),
                "attack-service", List.of("transit", "decode", "await snapshot", "attack", "encode"),
                "eval-service", List.of("transit", "decode", "evaluate"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<TraceCollector.CollectedSpan> trace = List.of();
        while (System.nanoTime() < deadline) { // spans are exported in batches, every 200 ms here
            List<String> steps = traces.spans(s -> s.name().equals("step") && job.equals(s.attribute("ham.job_id")))
                    .stream().map(TraceCollector.CollectedSpan::traceId).toList();
            trace = traces.spans(s -> steps.contains(s.traceId()) && s.service().equals("eval-service")).stream()
                    .findFirst().map(s -> traces.spans(t -> t.traceId().equals(s.traceId()))).orElse(List.of());
            List<TraceCollector.CollectedSpan> inTrace = trace;
            if (expected.entrySet().stream().allMatch(en -> en.getValue().stream().allMatch(n -> inTrace.stream()
                    .anyMatch(t -> t.service().equals(en.getKey()) && t.name().equals(n))))) {
                break;
            }
            Thread.sleep(200);
        }
        List<TraceCollector.CollectedSpan> found = trace;
        String names = found.stream().map(t -> t.service() + ":" + t.name()).sorted().toList().toString();
        assertFalse(found.isEmpty(), "no trace of job " + job + " reaches eval-service; spans received: "
                + traces.spans().size());
        System.out.println("the trace of job " + job + "'s last step: " + names);
        expected.forEach((service, spanNames) -> spanNames.forEach(n -> assertTrue(found.stream().anyMatch(
                t -> t.service().equals(service) && t.name().equals(n)), service + " has no span " + n + " in " + names)));
        java.util.Set<String> ids = new java.util.HashSet<>();
        found.forEach(t -> ids.add(t.spanId()));
        for (TraceCollector.CollectedSpan t : found) {
            assertTrue(t.parentSpanId() == null || ids.contains(t.parentSpanId()),
                    t.service() + ":" + t.name() + "'s parent is not in the trace " + names);
            assertTrue(t.endNanos() >= t.startNanos(), t.toString());
        }
        assertEquals(1, found.stream().filter(t -> t.parentSpanId() == null).count(), "one root: " + names);
        assertEquals("step", found.stream().filter(t -> t.parentSpanId() == null).findFirst().orElseThrow().name());
        // every step has its own trace, with the worker's attack in it
        List<TraceCollector.CollectedSpan> steps = traces.spans(
                s -> s.name().equals("step") && job.equals(s.attribute("ham.job_id")));
        assertEquals(steps.size(), steps.stream().map(TraceCollector.CollectedSpan::traceId).distinct().count());
        for (TraceCollector.CollectedSpan step : steps) {
            assertTrue(traces.spans().stream().anyMatch(t -> t.traceId().equals(step.traceId())
                    && t.service().equals("attack-service") && t.name().equals("attack")),
                    "step " + step.attribute("ham.step") + " has no attack span");
        }
    }

    private static void checkClassWise(ClassAccuracy a, List<String> classes) {
        assertEquals(classes.size(), a.perClass().length, "one value per class");
        double min = 1;
        int argmin = 0;
        double sum = 0;
        for (int c = 0; c < a.perClass().length; c++) {
            double v = a.perClass()[c];
            assertTrue(v >= 0 && v <= 1, "accuracy of class " + classes.get(c) + " is " + v);
            if (v < min) {
                min = v;
                argmin = c;
            }
            sum += v;
        }
        assertEquals(min, a.worst(), 1e-9);
        assertEquals(sum / classes.size(), a.average(), 1e-9);
        assertEquals(classes.get(argmin), a.worstClass());
        assertTrue(a.worst() <= a.average() && a.average() <= a.best());
    }

    /** Console output of the stack both captured and shown in the test log. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
