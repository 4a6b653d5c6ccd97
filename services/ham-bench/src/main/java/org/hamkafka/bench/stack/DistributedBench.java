package org.hamkafka.bench.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.hamkafka.bench.BenchMath;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.contracts.Topics;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.train.TrainingRun;
import org.hamkafka.local.DataCheck;
import org.hamkafka.local.JobRun;
import org.hamkafka.local.Stack;
import org.hamkafka.local.TraceCollector;
import org.hamkafka.local.StackOptions;
import org.hamkafka.local.StackSettings;
import org.hamkafka.local.SystemTopics;
import org.hamkafka.local.TrainerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Distributed vs in-process: the same HAM job (Fashion-MNIST subset, fixed seed, 1 batch in flight unless
 * {@code --batches-in-flight} says otherwise) trained
 * (a) in this JVM with ham-core's {@link TrainingRun}, (b) through the local stack with 1 attack worker and
 * 1 shard per batch, (c) with 2 attack workers and 2 shards per batch. Only training is timed: for the
 * stack, the trainer's {@code started_at} to {@code finished_at} of {@code GET /jobs/{id}} (data loading,
 * model creation, every step with its snapshot upload, the final checkpoint upload); in-process, the same
 * work (data loading, model creation, {@code train}, the checkpoint's npz export). Service start-up and
 * evaluation are not timed. The final weights of (a) and (b) are compared byte for byte (the checkpoint
 * npz downloaded from S3 against the in-process export; the npz is written deterministically).
 */
@Command(name = "distributed-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times one HAM job in-process and through the local stack (1 and 2 attack workers).")
public final class DistributedBench implements Callable<Integer> {
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin jobSettings = SettingsMixin.of("model", "epochs", "trainSubset", "testSubset", "evalAttacks", "lr", "seed",
                    "batchesInFlight")
            .defaults(p -> {
                p.model = "tiny-cnn";
                p.epochs = 1;
                p.trainSubset = 2048;
                p.testSubset = 100;
                p.evalAttacks = List.of("fgsm");
                p.lr = 0.01f;
                p.seed = 0L;
                p.batchesInFlight = 1;
            }).note("epochs", "with more, eval-service evaluates the intermediate checkpoints while training runs and "
                    + "competes for the cores")
            .note("testSubset", "eval-service's, kept tiny").note("evalAttacks", "eval-service's, kept cheap")
            .note("batchesInFlight", "the stack jobs'; above 1 the weights differ from in-process");
    @Option(names = "--attack-threads", defaultValue = "1", description = "HAM_ATTACK_THREADS of every worker (default ${DEFAULT-VALUE})")
    int attackThreads;
    @Option(names = "--in-process-threads", description = "PyTorch intra-op threads of the in-process run (set before "
            + "the engine loads; inter-op then 1, as the workers do); default: PyTorch's own (all cores). On a loaded "
            + "machine all-core OpenMP can be many times slower, so compare with 1 there")
    Integer inProcessThreadsOption;
    @Option(names = "--two-workers", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also run (c): 2 workers, shards_per_batch 2 (default ${DEFAULT-VALUE})")
    boolean twoWorkers;
    @Option(names = "--in-process-beside-stack", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "time the in-process job once more while the 1-worker stack is up and idle, to tell the "
                    + "cost of sharing the cores with its servers from the cost of the messaging (default ${DEFAULT-VALUE})")
    boolean besideStack;
    @Option(names = "--warmup", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run a short untimed job of " + WARMUP_EXAMPLES + " examples first, on both sides (default ${DEFAULT-VALUE})")
    boolean warmup;
    @Mixin
    StackOptions where;
    @Option(names = "--results", defaultValue = "bench-results", description = "where distributed.{md,json} go (default ${DEFAULT-VALUE})")
    Path results;
    @Option(names = "--out", defaultValue = "out/distributed-bench", description = "service logs (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--job-timeout", defaultValue = "PT30M", description = "per job, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration jobTimeout;

    static final int WARMUP_EXAMPLES = 256;
    /** The command line as given, for the result files when HAM_BENCH_COMMAND is not set. */
    private List<String> args = List.of();

    private final PrintStream log = System.out;

    public static void main(String[] args) {
        DistributedBench b = new DistributedBench();
        b.args = List.of(args);
        System.exit(new CommandLine(b).execute(args));
    }

    /** One timed run. */
    record Run(String name, String description, int workers, int shards, double seconds, long steps,
               String checkpointSha256, String jobId, double attackSeconds, List<TraceCollector.CollectedSpan> spans) {
        double stepsPerSecond() {
            return BenchMath.perSecond(steps, seconds);
        }
    }

    @Override
    public Integer call() throws Exception {
        PartialConfig given = jobSettings.values();
        if (given.epochs < 1 || given.trainSubset < 1 || attackThreads < 1 || given.batchesInFlight < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--epochs, --train-subset, --attack-threads and --batches-in-flight must be >= 1");
        }
        Path root = where.dataRoot();
        List<String> missing = DataCheck.missingFashionMnist(root);
        if (!missing.isEmpty()) {
            System.err.println(DataCheck.howToGet(root, missing));
            return 3;
        }
        routeInfraLogging(out.resolve("logs/infra.log"));
        String loadBefore = BenchMath.loadAverage();
        Path repoDir = where.repoDir();

        // (a) first, before any server or service is up, so nothing competes with it
        TrainConfig cfg = TrainConfig.defaults("fashion-mnist").with(p -> {
            p.dataDir = root.resolve("fashion-mnist").toString();
            p.model = given.model;
            p.method = "ham";
            p.epochs = given.epochs;
            p.warmupEpochs = 0;
            p.trainSubset = given.trainSubset;
            p.testSubset = given.testSubset;
            p.lr = given.lr;
            p.seed = given.seed;
        });
        log.println("(a) in-process: " + cfg);
        Run inProcess;
        if (inProcessThreadsOption != null) {
            if (inProcessThreadsOption < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--in-process-threads must be >= 1");
            }
            // read by DJL when the PyTorch engine loads, which is later (the attack-service does the same)
            System.setProperty("ai.djl.pytorch.num_threads", inProcessThreadsOption.toString());
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        String inProcessThreads = System.getProperty("ai.djl.pytorch.num_threads",
                "PyTorch default (" + Runtime.getRuntime().availableProcessors() + " cores)");
        if (warmup) {
            // the same short job first, so neither side pays PyTorch's loading and the JIT in the timed run
            TrainConfig w = cfg.with(p -> p.trainSubset = WARMUP_EXAMPLES);
            TrainingRun run = new TrainingRun(w);
            Dataset train = TrainingRun.loadTrain(w);
            try (Classifier f = run.newModel(train)) {
                run.train(f, train);
            }
        }
        inProcess = inProcessRun(cfg, "in-process", "ham-core TrainingRun in one JVM, intra-op threads: " + inProcessThreads);
        log.printf("(a) %d steps in %.2f s%n", inProcess.steps(), inProcess.seconds());

        List<Run> runs = new ArrayList<>(List.of(inProcess));
        Run[] beside = {null};
        Run one = stackRun(repoDir, root, 1, 1, besideStack ? () -> {
            beside[0] = inProcessRun(cfg, "in-process beside the idle stack", "the same in-process job while the "
                    + "1-worker stack is up with nothing to do (servers, services and their clients idle)");
            log.printf("(a') beside the idle stack: %d steps in %.2f s%n", beside[0].steps(), beside[0].seconds());
        } : null);
        if (beside[0] != null) {
            runs.add(beside[0]);
        }
        runs.add(one);
        Run two = twoWorkers ? stackRun(repoDir, root, 2, 2) : null;
        if (two != null) {
            runs.add(two);
        }
        boolean equal = one.checkpointSha256().equals(inProcess.checkpointSha256());
        String twoEqual = two == null ? "not run" : String.valueOf(two.checkpointSha256().equals(inProcess.checkpointSha256()));
        double ratio = one.seconds() / inProcess.seconds();
        double twoVsOne = two == null ? Double.NaN : two.seconds() / one.seconds();
        Run besideRun = beside[0];
        double besideRatio = besideRun == null ? Double.NaN : besideRun.seconds() / inProcess.seconds();
        double oneVsBeside = besideRun == null ? Double.NaN : one.seconds() / besideRun.seconds();
        StepBreakdown.Medians perStep = StepBreakdown.of(one.spans(), one.jobId());

        ResultHeader header = ResultHeader.now(DistributedBench.class, args.toArray(String[]::new), loadBefore);
        Files.createDirectories(results);
        ObjectNode doc = header.json();
        doc.putPOJO("job", Map.of("dataset", "fashion-mnist", "model", given.model, "method", "ham", "epochs", given.epochs,
                "warmup_epochs", 0, "train_subset", given.trainSubset, "lr", given.lr, "seed", given.seed, "batches_in_flight", given.batchesInFlight));
        doc.put("warmup_job_examples", warmup ? WARMUP_EXAMPLES : 0);
        doc.put("in_process_threads", inProcessThreads);
        doc.put("attack_threads_per_worker", attackThreads);
        ArrayNode arr = doc.putArray("runs");
        for (Run r : runs) {
            ObjectNode n = arr.addObject();
            n.put("name", r.name());
            n.put("description", r.description());
            n.put("workers", r.workers());
            n.put("shards_per_batch", r.shards());
            n.put("seconds", r.seconds());
            n.put("steps", r.steps());
            n.put("steps_per_second", r.stepsPerSecond());
            n.put("checkpoint_sha256", r.checkpointSha256());
            n.put("job_id", r.jobId());
            n.put("attack_seconds", r.attackSeconds());
        }
        doc.put("ratio_distributed_1_worker_vs_in_process", ratio);
        doc.put("goal_ratio_at_most", 1.10);
        doc.put("goal_met", ratio <= 1.10);
        doc.put("ratio_2_workers_vs_1_worker", twoVsOne);
        doc.put("ratio_in_process_beside_idle_stack_vs_alone", besideRatio);
        doc.put("ratio_1_worker_vs_in_process_beside_idle_stack", oneVsBeside);
        doc.putPOJO("one_worker_step_breakdown_ms", perStep);
        doc.put("weights_equal_in_process_vs_beside_idle_stack", besideRun == null ? null
                : besideRun.checkpointSha256().equals(inProcess.checkpointSha256()));
        doc.put("weights_equal_in_process_vs_1_worker", equal);
        doc.put("weights_equal_in_process_vs_2_workers", twoEqual);
        Files.writeString(results.resolve("distributed.json"), ResultHeader.JSON.writeValueAsString(doc));

        StringBuilder md = new StringBuilder(header.markdown("Distributed vs in-process training time"));
        md.append("Job: Fashion-MNIST, ").append(given.trainSubset).append(" training examples (class-balanced), ")
                .append(given.model).append(", HAM (no warm-up), ").append(given.epochs).append(" epoch(s), lr ").append(given.lr)
                .append(", seed ").append(given.seed).append(", ").append(given.batchesInFlight).append(" batch(es) in flight on the stack")
                .append(given.batchesInFlight > 1 ? " (attacks with weights up to " + (given.batchesInFlight - 1)
                        + " version(s) old; in-process attacks with the current weights, so the weights differ)" : "")
                .append(". In-process threads: ")
                .append(inProcessThreads).append("; each attack worker HAM_ATTACK_THREADS=").append(attackThreads)
                .append(" (the trainer keeps its default).\n\n");
        md.append(warmup ? "Both sides first ran an untimed warm-up job of " + WARMUP_EXAMPLES
                + " examples (stack: then awaited its evaluation).\n" : "No warm-up job (--no-warmup).\n\n");
        md.append("Timed: training only. Stack: trainer's `started_at` to `finished_at` (`GET /jobs/{id}`); ")
                .append("in-process: data loading, model creation, training, checkpoint export. ")
                .append("Not timed: service start-up, evaluation.\n\n");
        md.append("| run | workers | shards/batch | seconds | steps | steps/s | attack half, s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            md.append("| ").append(r.name()).append(" | ").append(r.workers()).append(" | ").append(r.shards())
                    .append(" | ").append(BenchMath.fmt(r.seconds(), 2)).append(" | ").append(r.steps())
                    .append(" | ").append(BenchMath.fmt(r.stepsPerSecond(), 2)).append(" | ")
                    .append(BenchMath.fmt(r.attackSeconds(), 2)).append(" |\n");
        }
        md.append("\nAttack half: the attacks' own wall time summed over the batches (ham-core's AttackStats; on the ")
                .append("stack as the workers report it in their results, summed over shards), so that a slower attack ")
                .append("and the messaging around it can be told apart.\n");
        md.append("\nRatio distributed (1 worker) / in-process: **").append(BenchMath.fmt(ratio, 3))
                .append("** (goal <= 1.10: ").append(ratio <= 1.10 ? "met" : "NOT met").append(")\n\n");
        if (besideRun != null) {
            md.append("The same in-process job beside the idle 1-worker stack / alone: **")
                    .append(BenchMath.fmt(besideRatio, 3)).append("** (what sharing the cores with the stack's servers and ")
                    .append("services costs, with no messaging); 1 worker / in-process beside the idle stack: **")
                    .append(BenchMath.fmt(oneVsBeside, 3)).append("** (roughly what the messaging costs); its weights ")
                    .append(besideRun.checkpointSha256().equals(inProcess.checkpointSha256()) ? "equal" : "DIFFER FROM")
                    .append(" the first in-process run's\n\n");
        }
        md.append("Ratio 2 workers / 1 worker (time): ").append(BenchMath.fmt(twoVsOne, 3)).append("\n\n");
        md.append("Final weights equal, in-process vs 1 worker (checkpoint npz from S3, byte for byte): **")
                .append(equal).append("**; in-process vs 2 workers: ").append(twoEqual)
                .append(" (2 shards attack in batches of 64 rows, which need not be bit-equal to 128)\n");
        md.append(perStep == null
                ? "\nNo per-step breakdown: no step of the 1-worker job left a whole trace.\n"
                : "\nWhere a 1-worker step's time goes (the services' spans, one trace per step):\n\n"
                        + StepBreakdown.table(perStep));
        Files.writeString(results.resolve("distributed.md"), md);
        log.println();
        log.print(md);
        return 0;
    }

    /** The job in this JVM with ham-core's TrainingRun; its final weights' sha256 and the attack half's time. */
    private static Run inProcessRun(TrainConfig cfg, String name, String description) {
        long t0 = System.nanoTime();
        TrainingRun run = new TrainingRun(cfg);
        Dataset train = TrainingRun.loadTrain(cfg);
        long[] steps = {0};
        double[] attackMillis = {0};
        byte[] weights;
        try (Classifier f = run.newModel(train)) {
            run.train(f, train, TrainingListener.onStep(p -> {
                steps[0]++;
                attackMillis[0] += p.attackMillis();
            }));
            weights = ModelWeights.exportNpz(f);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Run(name, description, 0, 1, secs, steps[0], ModelWeights.sha256(weights), null, attackMillis[0] / 1e3,
                List.of());
    }

    /** Something to do while a stack is up and idle (after its warm-up job, before the timed one). */
    interface WhileIdle {
        void run() throws Exception;
    }

    private Run stackRun(Path repoDir, Path root, int workers, int shards) throws Exception {
        return stackRun(repoDir, root, workers, shards, null);
    }

    private Run stackRun(Path repoDir, Path root, int workers, int shards, WhileIdle whileIdle) throws Exception {
        PartialConfig given = jobSettings.values();
        String name = workers + "-worker" + (workers > 1 ? "s" : "");
        // the services' spans come here: the per-step breakdown is read from them
        TraceCollector traces = TraceCollector.start();
        Map<String, String> env = new java.util.HashMap<>(traces.serviceEnv());
        env.put("HAM_ATTACK_THREADS", String.valueOf(attackThreads));
        StackSettings settings = new StackSettings(repoDir, out.resolve(name), root, workers, 0, 0, 0,
                Math.max(2, workers), String.join(",", given.evalAttacks), given.testSubset, Duration.ofMinutes(5),
                List.of("-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true"), env);
        log.println("(" + name + ") starting the stack ...");
        try (traces; Stack stack = new Stack(settings, log)) {
            Thread hook = new Thread(stack::close, "distributed-bench-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stack.start();
            TrainerClient trainer = stack.trainerClient();
            if (warmup) {
                // a short job first: the workers' consumer groups settle, PyTorch loads, the JIT warms up;
                // then its evaluation is awaited so eval-service is idle during the timed job
                ObjectNode w = JobRun.fashionMnistRequest("ham", given.model, 1, WARMUP_EXAMPLES, given.testSubset, shards, 0, given.seed);
                w.put("lr", given.lr);
                JsonNode done = awaitJob(stack, trainer, trainer.submit(w));
                try (SystemTopics topics = new SystemTopics(stack.bootstrapServers())) {
                    topics.awaitEval(done.path("id").asText(), e -> true, Duration.ofMinutes(5));
                }
                log.println("(" + name + ") warm-up job done and evaluated");
            }
            if (whileIdle != null) {
                whileIdle.run();
            }
            ObjectNode request = JobRun.fashionMnistRequest("ham", given.model, given.epochs, given.trainSubset, given.testSubset, shards, 0, given.seed);
            request.put("lr", given.lr);
            request.put("batches_in_flight", given.batchesInFlight);
            JsonNode job;
            double attackSeconds;
            try (SystemTopics topics = new SystemTopics(stack.bootstrapServers())) {
                job = awaitJob(stack, trainer, trainer.submit(request));
                attackSeconds = workerAttackSeconds(topics, job);
            }
            String id = job.path("id").asText();
            String key = job.path("progress").path("last_checkpoint_key").asText(null);
            if (key == null) {
                throw new IllegalStateException("job " + id + " completed without a checkpoint key: " + job);
            }
            byte[] npz;
            try (MinioClient s3 = stack.infra().s3().newClient();
                 InputStream in = s3.getObject(GetObjectArgs.builder().bucket(stack.infra().bucket()).object(key).build())) {
                npz = in.readAllBytes();
            }
            String sha = ModelWeights.sha256(npz);
            String reported = job.path("progress").path("last_checkpoint_sha256").asText("");
            if (!reported.isEmpty() && !reported.equals(sha)) {
                throw new IllegalStateException("checkpoint " + key + " has sha256 " + sha + " but the trainer reported " + reported);
            }
            double secs = jobSeconds(job);
            long steps = job.path("progress").path("step").asLong();
            log.printf("(%s) job %s: %d steps in %.2f s%n", name, id, steps, secs);
            Runtime.getRuntime().removeShutdownHook(hook);
            stack.close(); // its services export their last spans as they stop
            return new Run("stack, " + name, "trainer-service + " + workers + " attack-service(s), shards_per_batch "
                    + shards, workers, shards, secs, steps, sha, id, attackSeconds, traces.spans());
        }
    }

    /** The workers' attack time of a finished job, once the results topic has been read up to all its shards. */
    private static double workerAttackSeconds(SystemTopics topics, JsonNode job) throws InterruptedException {
        String id = job.path("id").asText();
        long shards = job.path("progress").path("step").asLong() * job.path("settings").path("shards_per_batch").asLong(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SystemTopics.AttackCost cost = topics.attackCost(id);
        while (cost.shards() < shards && System.nanoTime() < deadline) {
            Thread.sleep(100);
            cost = topics.attackCost(id);
        }
        if (cost.shards() < shards) {
            throw new IllegalStateException("read " + cost.shards() + " attack results of job " + id + " from "
                    + Topics.ATTACK_RESULTS + " within 30 s; expected " + shards);
        }
        return cost.workerMillis() / 1e3;
    }

    /** Polls {@code GET /jobs/{id}} until the job is final; fails unless it COMPLETED. */
    private JsonNode awaitJob(Stack stack, TrainerClient trainer, JsonNode job) throws Exception {
        String id = job.path("id").asText();
        long deadline = System.nanoTime() + jobTimeout.toNanos();
        while (!TrainerClient.FINAL_STATES.contains(TrainerClient.state(job))) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("job " + id + " still " + TrainerClient.state(job) + " after " + jobTimeout);
            }
            if (stack.deadChild().isPresent()) {
                throw new IllegalStateException(stack.deadChild().get().name() + " died; see "
                        + stack.deadChild().get().logFile());
            }
            Thread.sleep(500);
            job = trainer.job(id);
        }
        if (!"COMPLETED".equals(TrainerClient.state(job))) {
            throw new IllegalStateException("job " + id + " ended " + TrainerClient.state(job) + ": "
                    + job.path("error").asText());
        }
        return job;
    }

    static double jobSeconds(JsonNode job) {
        double s = java.time.Duration.between(java.time.OffsetDateTime.parse(job.path("started_at").asText()),
                java.time.OffsetDateTime.parse(job.path("finished_at").asText())).toNanos() / 1e9;
        return s;
    }

    /** Kafka, S3Proxy and zonky log a lot through SLF4J: into a file, so the console shows the run. */
    static void routeInfraLogging(Path file) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
}
