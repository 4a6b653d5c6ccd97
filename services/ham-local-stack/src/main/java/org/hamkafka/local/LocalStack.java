package org.hamkafka.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.contracts.Codec;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * One command, no Docker: starts Kafka, S3 and PostgreSQL in this JVM, the three services as child
 * processes, trains a HAM job on Fashion-MNIST through the trainer's REST API, prints the class-wise
 * evaluation read from {@code ham.eval.results}, and stops everything (or, with --keep-running, waits for
 * Ctrl-C).
 */
@Command(name = "local-stack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs HAM on Kafka on this machine without Docker: real Kafka (KRaft), S3 (S3Proxy) and "
                + "PostgreSQL in this JVM, trainer-service, attack-service x N and eval-service as child processes; "
                + "trains one job on Fashion-MNIST and prints its class-wise clean and robust accuracy."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the job completed and was evaluated (or --no-job and stopped)",
                "1:a service or the job failed, or a timeout", "2:bad option",
                "3:Fashion-MNIST is missing", "4:a port is in use"})
public final class LocalStack implements Callable<Integer> {
    static final int EXIT_FAILED = 1;
    static final int EXIT_DATA_MISSING = 3;
    static final int EXIT_PORT_IN_USE = 4;

    /**
     * The job's settings (options made from PartialConfig) with the demo's defaults: 6 epochs, 3 of them PGD-AT
     * warm-up, so the demo's model is one a user would call trained (seed 0: clean 0.72 on average, worst class
     * 0.44; without warm-up HAM stops training the classes it learns first and Trouser reads 0.00;
     * docs/local-stack.md has the runs). lr 0.01: with the trainer's 0.1, a few short epochs of tiny-cnn collapse
     * to one class (clean accuracy 0.10).
     */
    @Mixin
    SettingsMixin job = SettingsMixin.of("method", "model", "epochs", "warmupEpochs", "trainSubset", "testSubset", "lr",
                    "seed", "evalAttacks")
            .defaults(p -> {
                p.method = "ham";
                p.model = "tiny-cnn";
                p.epochs = 6;
                p.warmupEpochs = 3;
                p.trainSubset = 5000;
                p.testSubset = 500;
                p.lr = 0.01f;
                p.seed = 0L;
                p.evalAttacks = List.of("pgd-20");
            }).note("warmupEpochs", "ham-trades: of TRADES; the paper uses 50 of 120")
            .note("testSubset", "evaluated by eval-service").note("evalAttacks", "eval-service's; the first is the headline");
    @Option(names = "--weighting", defaultValue = "uniform", description = "HAM's weights of the hard examples: uniform (all 1, what the reference's released scripts ran) or tanh (by how sharply the prediction moved) (default ${DEFAULT-VALUE})")
    String weighting;
    @Option(names = "--workers", defaultValue = "2", description = "attack-service instances in one consumer group (default ${DEFAULT-VALUE})")
    int workers;
    @Option(names = "--shards", description = "attack requests per batch (default: --workers)")
    Integer shards;
    @Option(names = "--keep-running", description = "leave the stack up after the job, for exploring; Ctrl-C stops it")
    boolean keepRunning;
    @Option(names = "--no-job", description = "only start the stack (implies --keep-running)")
    boolean noJob;
    @Option(names = "--out", defaultValue = "out/local-stack", description = "logs (<out>/logs/<service>.log) and result copies (default ${DEFAULT-VALUE})")
    Path out;
    @Mixin
    StackOptions where;
    @Option(names = "--trainer-port", defaultValue = "8080", description = "0 = any free port (default ${DEFAULT-VALUE})")
    int trainerPort;
    @Option(names = "--attack-port", defaultValue = "8081", description = "first worker's port, the others take the next free ones; 0 = any free ports (default ${DEFAULT-VALUE})")
    int attackPort;
    @Option(names = "--eval-port", defaultValue = "8082", description = "0 = any free port (default ${DEFAULT-VALUE})")
    int evalPort;
    @Option(names = "--attack-threads", description = "HAM_ATTACK_THREADS: PyTorch threads per attack worker (default: the worker's own)")
    Integer attackThreads;
    @Option(names = "--ready-timeout", defaultValue = "PT3M", description = "per service, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration readyTimeout;
    @Option(names = "--job-timeout", defaultValue = "PT30M", description = "ISO-8601 (default ${DEFAULT-VALUE})")
    Duration jobTimeout;
    @Option(names = "--eval-timeout", defaultValue = "PT10M", description = "after the job completed, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration evalTimeout;
    @Option(names = "--restarts", defaultValue = "5", description = "a service that dies is started again, after 1 s, "
            + "doubled each time, up to this many times; 0 = a dead service stops the stack (default ${DEFAULT-VALUE})")
    int restarts;

    @Spec
    CommandSpec spec;

    private final PrintStream stdout;

    LocalStack(PrintStream stdout) {
        this.stdout = stdout;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.out).execute(args));
    }

    static CommandLine commandLine(PrintStream stdout) {
        return new CommandLine(new LocalStack(stdout)).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() throws Exception {
        List<String> bad = validate();
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("\n", bad));
        }
        Path root = where.dataRoot();
        List<String> missing = DataCheck.missingFashionMnist(root);
        if (!missing.isEmpty()) {
            System.err.println(DataCheck.howToGet(root, missing));
            return EXIT_DATA_MISSING;
        }
        Path outDir = out.toAbsolutePath().normalize();
        Files.createDirectories(outDir.resolve("logs"));
        routeInfraLogging(outDir.resolve("logs").resolve("infra.log"));

        StackSettings settings = new StackSettings(where.repoDir(), outDir, root, workers, trainerPort, evalPort, attackPort,
                Math.max(4, 2 * workers), String.join(",", job.values().evalAttacks), job.values().testSubset, readyTimeout, childJvmOptions(), extraEnv());
        Stack stack = new Stack(settings, stdout);
        // Ctrl-C, SIGTERM or the end of main: children and servers are stopped exactly once
        Thread hook = new Thread(stack::close, "ham-local-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stack.start();
            if (restarts > 0) {
                stack.supervise(Duration.ofSeconds(1), restarts);
            }
            if (noJob) {
                stdout.print(Report.endpoints(stack));
                return waitForCtrlC(stack);
            }
            JobRun.Outcome outcome = runJob(stack, settings);
            printOutcome(stack, outcome, outDir);
            if (keepRunning) {
                return waitForCtrlC(stack);
            }
            return 0;
        } catch (Stack.PortInUseException e) {
            System.err.println(e.getMessage());
            return EXIT_PORT_IN_USE;
        } catch (Stack.StackClosedException e) {
            return EXIT_FAILED; // Ctrl-C during start-up; the hook is stopping everything
        } catch (ServiceFailedException | JobRun.JobFailedException | TimeoutException e) {
            if (!stack.isClosing()) {
                System.err.println("FAILED: " + e.getMessage());
            }
            return EXIT_FAILED;
        } catch (Exception e) {
            if (stack.isClosing()) {
                return EXIT_FAILED; // e.g. the trainer went away under Ctrl-C: nothing to report
            }
            throw e;
        } finally {
            stack.close();
        }
    }

    private List<String> validate() {
        PartialConfig j = job.values();
        List<String> bad = new ArrayList<>();
        if (restarts < 0 || restarts > 100) {
            bad.add("--restarts must be in 0..100, got " + restarts);
        }
        if (j.epochs < 1) {
            bad.add("--epochs must be >= 1, got " + j.epochs);
        }
        if (j.warmupEpochs < 0 || j.warmupEpochs >= Math.max(1, j.epochs) && TrainConfig.HAM_METHODS.contains(j.method)) {
            bad.add("--warmup-epochs must be in 0.." + (j.epochs - 1) + " (fewer than --epochs), got " + j.warmupEpochs);
        }
        if (!"uniform".equals(weighting) && !"tanh".equals(weighting)) {
            bad.add("--weighting must be uniform or tanh, got '" + weighting + "'");
        }
        if (j.trainSubset < 0 || j.trainSubset > 60000) {
            bad.add("--train-subset must be in 0..60000 (0 = all), got " + j.trainSubset);
        }
        if (j.testSubset < 0 || j.testSubset > 10000) {
            bad.add("--test-subset must be in 0..10000 (0 = all), got " + j.testSubset);
        }
        if (workers < 1 || workers > 32) {
            bad.add("--workers must be in 1..32, got " + workers);
        }
        if (shards != null && (shards < 1 || shards > 64)) {
            bad.add("--shards must be in 1..64, got " + shards);
        }
        if (j.lr != null && !(j.lr > 0 && j.lr <= 10)) {
            bad.add("--lr must be in (0, 10], got " + j.lr);
        }
        if (attackThreads != null && attackThreads < 1) {
            bad.add("--attack-threads must be >= 1, got " + attackThreads);
        }
        return bad;
    }

    private static List<String> childJvmOptions() {
        // fail fast rather than limp on; DJL must never try to download a native library
        return List.of("-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true");
    }

    private Map<String, String> extraEnv() {
        return attackThreads == null ? Map.of() : Map.of("HAM_ATTACK_THREADS", attackThreads.toString());
    }

    /** Kafka, S3Proxy and zonky log a lot through SLF4J: into a file, so the console shows the run. */
    static void routeInfraLogging(Path file) {
        System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    }

    private JobRun.Outcome runJob(Stack stack, StackSettings settings) throws Exception {
        PartialConfig j = job.values();
        int shardsPerBatch = shards != null ? shards : workers;
        ObjectNode request = JobRun.fashionMnistRequest(j.method, j.model, j.epochs, j.trainSubset, j.testSubset, shardsPerBatch,
                TrainConfig.HAM_METHODS.contains(j.method) ? j.warmupEpochs : null, j.seed);
        if (j.lr != null) {
            request.put("lr", j.lr);
        }
        if (TrainConfig.HAM_METHODS.contains(j.method)) {
            request.put("weighting", "tanh".equals(weighting));
        }
        var attacks = request.putArray("eval_attacks"); // the job's checkpoints are evaluated as --eval-attacks says
        j.evalAttacks.forEach(a -> attacks.add(a.trim()));
        String what = j.method + (TrainConfig.HAM_METHODS.contains(j.method) ? " with " + weighting + " weights, "
                + j.warmupEpochs + " warm-up epoch(s)" : "") + ", " + j.model + ", " + j.epochs + " epoch(s), " + j.trainSubset
                + " training / " + j.testSubset + " test examples, " + workers + " worker(s), " + shardsPerBatch
                + " shard(s) per batch";
        try (JobProgressBar bar = new JobProgressBar(stdout, stack, what, j.epochs)) {
            return JobRun.run(stack, request, jobTimeout, evalTimeout, bar);
        }
    }

    private void printOutcome(Stack stack, JobRun.Outcome o, Path outDir) throws java.io.IOException {
        stdout.println();
        stdout.println("Class-wise accuracy of job " + o.jobId() + ", epoch " + o.eval().epoch() + " (" + o.eval().method()
                + ", " + o.eval().model() + ", " + o.eval().dataset() + ", eps " + o.eval().eps() + ", "
                + o.eval().attack() + "):");
        stdout.println(Report.classWiseTable(o.eval()));
        stdout.println(Report.cost(o));
        ObjectMapper pretty = Codec.mapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(outDir.resolve("eval-result.json"), pretty.writeValueAsString(o.eval()));
        Files.writeString(outDir.resolve("job.json"), pretty.writeValueAsString(o.job()));
        stdout.println(Report.whereResultsLive(stack, o, keepRunning));
    }

    /** Keeps the stack up until Ctrl-C (the shutdown hook stops it) or until a service dies. */
    private int waitForCtrlC(Stack stack) throws InterruptedException {
        stdout.println("the stack is running; Ctrl-C stops it");
        while (!stack.isClosing()) {
            var dead = stack.deadChild();
            if (dead.isPresent()) {
                // Ctrl-C in a terminal reaches the children too: give our shutdown hook a moment to say so
                Thread.sleep(1000);
                if (stack.isClosing()) {
                    break;
                }
                System.err.println("FAILED: " + dead.get().name() + " exited; see its log " + dead.get().logFile());
                return EXIT_FAILED;
            }
            Thread.sleep(1000);
        }
        return 0;
    }
}
