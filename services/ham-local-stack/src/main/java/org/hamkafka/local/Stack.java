package org.hamkafka.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.hamkafka.infra.LocalInfra;

/**
 * The whole system on one machine: embedded Kafka (KRaft), S3 (S3Proxy) and PostgreSQL in this JVM
 * ({@link StackInfra}), and trainer-service, N attack-services and eval-service as child processes from their
 * fast-jars ({@link Children}, restarted by the {@link Supervisor}), with one set of secrets ({@link StackAuth}).
 *
 * Stop with {@link #close()}: SIGTERM to every child, SIGKILL after a grace period.
 *
 * <p>{@link #close()} may be called from any thread (the launcher's shutdown hook does), also while
 * {@link #start()} is still running: what was started so far is stopped, and {@code start()} fails.
 */
public final class Stack implements AutoCloseable {
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /** How a service's process is started; tests substitute stand-ins for the fast-jars. */
    interface Launcher {
        ServiceProcess launch(StackSettings settings, String service, String name, int port, Map<String, String> env)
                throws IOException;
    }

    /** The real thing: {@code java -jar <service>/target/quarkus-app/quarkus-run.jar}. */
    static final Launcher FAST_JARS = (settings, service, name, port, env) -> ServiceProcess.start(name,
            settings.jar(service), port, env, settings.jvmOptions(), settings.logFile(name));

    private final StackSettings settings;
    private final PrintStream log;
    private final Duration stopGrace;
    private final StackAuth auth;
    private final Children services;
    private final Supervisor supervisor;
    private volatile StackInfra infra;
    private volatile List<Integer> infraPorts = List.of();
    private boolean closed;

    public Stack(StackSettings settings, PrintStream log) {
        this(settings, log, FAST_JARS, STOP_GRACE);
    }

    Stack(StackSettings settings, PrintStream log, Launcher launcher, Duration stopGrace) {
        this.settings = settings;
        this.log = log;
        this.stopGrace = stopGrace;
        this.auth = new StackAuth(settings.outDir());
        this.services = new Children(settings, log, launcher);
        this.supervisor = new Supervisor(settings, log, services);
    }

    public StackSettings settings() {
        return settings;
    }

    /** Starts everything and waits until every service reports ready. On failure, stops what was started. */
    public Stack start() throws IOException, InterruptedException {
        try {
            doStart();
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void doStart() throws IOException, InterruptedException {
        services.checkBuilt();
        Map<String, Integer> ports = PortPlan.choose(settings);

        log.println("starting Kafka (KRaft), S3 (S3Proxy) and PostgreSQL in this JVM ...");
        StackInfra inf = StackInfra.create(log);
        services.whileOpen(() -> infra = inf);
        inf.start();
        services.checkNotClosing();
        infraPorts = inf.ports();
        inf.provision(settings.attackPartitions());
        log.println("  Kafka      " + inf.infra().kafka().bootstrapServers());
        log.println("  S3         " + inf.infra().s3().endpoint() + "  bucket " + inf.infra().bucket());
        log.println("  PostgreSQL " + jdbcUrl(StackSettings.TRAINER_DB) + ", " + jdbcUrl(StackSettings.EVAL_DB));

        Map<String, String> common = ServiceEnv.common(settings, auth, inf);
        // all JVMs start at once: their start-ups (class loading, PyTorch) overlap
        int evalPort = ports.get(StackSettings.EVAL);
        services.start(StackSettings.EVAL, StackSettings.EVAL, evalPort, ServiceEnv.eval(common, settings, inf, evalPort));
        for (int i = 0; i < settings.workers(); i++) {
            String name = PortPlan.attackName(settings, i);
            services.start(StackSettings.ATTACK, name, ports.get(name), ServiceEnv.attack(common, name, ports.get(name)));
        }
        int trainerPort = ports.get(StackSettings.TRAINER);
        services.start(StackSettings.TRAINER, StackSettings.TRAINER, trainerPort,
                ServiceEnv.trainer(common, settings, inf, trainerPort));

        for (ServiceProcess p : services.children()) {
            log.println("waiting for " + p.name() + " (" + p.url() + "/q/health/ready, log " + p.logFile() + ") ...");
            p.awaitReady(settings.readyTimeout());
            services.checkNotClosing();
        }
        log.println("all services ready");
    }

    // ---- what callers need once it runs

    /** An operator's bearer token for this stack's REST APIs (submit, cancel, read), valid for a week. */
    public String operatorToken() {
        return auth.operatorToken();
    }

    /**
     * The operator's token as a file in the run folder, readable by its owner only, for a user's own calls:
     * {@code curl -H "Authorization: Bearer $(cat <run folder>/api-token)" …}.
     */
    public Path tokenFile() throws IOException {
        return auth.tokenFile();
    }

    /** The trainer's REST API as this stack's operator. */
    public TrainerClient trainerClient() {
        return new TrainerClient(trainer().url(), auth.operatorToken());
    }

    public LocalInfra infra() {
        StackInfra inf = infra;
        return inf == null ? null : inf.infra();
    }

    public String bootstrapServers() {
        return infra.infra().kafka().bootstrapServers();
    }

    public String jdbcUrl(String database) {
        return infra.jdbcUrl(database);
    }

    public ServiceProcess trainer() {
        return services.trainer();
    }

    public ServiceProcess eval() {
        return services.eval();
    }

    public List<ServiceProcess> attackWorkers() {
        return services.attackWorkers();
    }

    /** Every child process started so far. */
    public List<ServiceProcess> children() {
        return services.children();
    }

    /** The TCP ports this stack listened on (infra and services), for checking they are free after close. */
    public List<Integer> ports() {
        List<Integer> all = new ArrayList<>(infraPorts);
        services.ports().stream().filter(p -> !all.contains(p)).forEach(all::add);
        return List.copyOf(all);
    }

    // ---- faults and their repair

    /**
     * Kills trainer-service hard (SIGKILL, no shutdown hooks: what a crash or an OOM kill does) and waits
     * until it is gone; it no longer counts as a child. Its jobs stay RUNNING in PostgreSQL, to be continued
     * by the next trainer ({@link #startTrainer()}).
     */
    public void killTrainer(Duration timeout) throws InterruptedException, TimeoutException {
        services.killTrainer(timeout);
    }

    /**
     * Starts trainer-service again (after {@link #killTrainer}) with the same environment and HTTP port, and
     * waits until it is ready. The previous run's log is kept as {@code trainer-service.run<N>.log}.
     */
    public ServiceProcess startTrainer() throws IOException, InterruptedException {
        return services.startTrainer();
    }

    /**
     * The first child that has exited, if any: a service that died while the stack should be up. Under
     * {@link #supervise} only one the supervisor gave up on (a dead child it is about to restart is not).
     */
    public Optional<ServiceProcess> deadChild() {
        return supervisor.deadChild();
    }

    /** How often the supervisor restarted the child of this name. */
    public int restarts(String name) {
        return supervisor.restarts(name);
    }

    /**
     * From now on a child that dies (a crash, an OOM kill, {@code kill -9}) is started again with its service,
     * port and environment, after {@code firstBackoff}, doubled for each earlier restart of the same child (at
     * most 30 s), until it has been restarted {@code maxRestarts} times; then it stays down and
     * {@link #deadChild()} reports it. The trainer resumes its running jobs from their resume states, an attack
     * worker's unanswered requests are resent by the trainer, eval-service goes on from its committed offsets.
     * A child stopped on purpose ({@link #killTrainer}) is not restarted.
     */
    public void supervise(Duration firstBackoff, int maxRestarts) {
        supervisor.supervise(firstBackoff, maxRestarts);
    }

    public boolean isClosing() {
        return services.isClosing();
    }

    /**
     * Stops the children (SIGTERM to all at once, up to 30 s each to exit, then SIGKILL), then closes
     * PostgreSQL, S3 and Kafka. Idempotent; safe from a shutdown hook.
     */
    @Override
    public void close() {
        services.beginClosing();
        supervisor.interrupt();
        synchronized (this) {
            if (closed) {
                return;
            }
            StackInfra inf = infra;
            if (!services.children().isEmpty() || inf != null) {
                log.println("stopping the local stack ...");
            }
            List<String> problems = new ArrayList<>(services.stopAll(stopGrace));
            if (inf != null) {
                problems.addAll(inf.close(log));
            }
            closed = true;
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the local stack did not stop cleanly: " + String.join("; ", problems));
            }
        }
    }

    /** Thrown when a port the user fixed is taken. */
    public static final class PortInUseException extends RuntimeException {
        public PortInUseException(String message) {
            super(message);
        }
    }

    /** Thrown by {@link #start()} when {@link #close()} was called meanwhile (Ctrl-C during start-up). */
    public static final class StackClosedException extends RuntimeException {
        public StackClosedException(String message) {
            super(message);
        }
    }
}
