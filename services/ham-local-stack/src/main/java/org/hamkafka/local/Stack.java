package org.hamkafka.local;

import java.io.IOException;
import java.nio.file.Path;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.hamkafka.contracts.Topics;
import org.hamkafka.infra.EmbeddedPostgres;
import org.hamkafka.infra.LocalInfra;

/**
 * The whole system on one machine: embedded Kafka (KRaft), S3 (S3Proxy) and PostgreSQL in this JVM, and
 * trainer-service, N attack-services and eval-service as child processes from their fast-jars.
 *
 * Stop with {@link #close()}: SIGTERM to every child, SIGKILL after a grace period.
 *
 * <p>{@link #close()} may be called from any thread (the launcher's shutdown hook does), also while
 * {@link #start()} is still running: what was started so far is stopped, and {@code start()} fails.
 */
public final class Stack implements AutoCloseable {
    /** Attack requests and results carry image tensors: allow records well above Kafka's 1 MB default. */
    static final String MAX_MESSAGE_BYTES = String.valueOf(16 * 1024 * 1024);
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
    private final List<ServiceProcess> children = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private volatile LocalInfra infra;
    private volatile boolean closing;
    private volatile boolean closed;
    private final List<Integer> portsInUse = new CopyOnWriteArrayList<>();
    private volatile ServiceProcess trainer;
    private volatile ServiceProcess eval;
    private final List<ServiceProcess> attackers = new CopyOnWriteArrayList<>();
    /** How each child was launched (service, port, environment), by name: what a restart repeats. */
    private final Map<String, Launch> launches = new java.util.concurrent.ConcurrentHashMap<>();
    /** Processes started per child name so far (names the kept logs: {@code <name>.run<N>.log}). */
    private final Map<String, Integer> starts = new java.util.concurrent.ConcurrentHashMap<>();
    /** Restarts per child name so far, and the children the supervisor gave up on. */
    private final Map<String, Integer> restarts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> givenUp = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Thread supervisor;

    private record Launch(String service, int port, Map<String, String> env) {
    }

    private final Launcher launcher;
    private final Duration stopGrace;
    /** Clean-ups the embedded Kafka asked to run at JVM exit (deleting its temporary log folder). */
    private final List<Runnable> kafkaExitHooks = new ArrayList<>();
    private static final List<Runnable> PENDING_KAFKA_HOOKS = new CopyOnWriteArrayList<>();

    public Stack(StackSettings settings, PrintStream log) {
        this(settings, log, FAST_JARS, STOP_GRACE);
    }

    Stack(StackSettings settings, PrintStream log, Launcher launcher, Duration stopGrace) {
        this.settings = settings;
        this.log = log;
        this.launcher = launcher;
        this.stopGrace = stopGrace;
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
        for (String service : List.of(StackSettings.TRAINER, StackSettings.ATTACK, StackSettings.EVAL)) {
            if (launcher == FAST_JARS && !settings.jar(service).toFile().isFile()) {
                throw new IllegalStateException(service + " is not built: " + settings.jar(service)
                        + " is missing. Build with: mvn -B -q -ntp package -DskipTests (scripts/run.sh does)");
            }
        }
        Map<String, Integer> ports = choosePorts();

        log.println("starting Kafka (KRaft), S3 (S3Proxy) and PostgreSQL in this JVM ...");
        tameKafkaExit(log);
        LocalInfra inf = LocalInfra.onFreePorts();
        synchronized (lock) {
            checkNotClosing();
            infra = inf;
        }
        int hooksBefore = PENDING_KAFKA_HOOKS.size();
        try {
            inf.start();
        } finally {
            kafkaExitHooks.addAll(PENDING_KAFKA_HOOKS.subList(hooksBefore, PENDING_KAFKA_HOOKS.size()));
        }
        checkNotClosing();
        portsInUse.add(Ports.portOf(inf.kafka().bootstrapServers()));
        portsInUse.add(inf.s3().port());
        portsInUse.add(inf.postgres().port());
        createTopics(inf);
        createDatabases(inf.postgres());
        log.println("  Kafka      " + inf.kafka().bootstrapServers());
        log.println("  S3         " + inf.s3().endpoint() + "  bucket " + inf.bucket());
        log.println("  PostgreSQL " + jdbcUrl(StackSettings.TRAINER_DB) + ", " + jdbcUrl(StackSettings.EVAL_DB));

        Map<String, String> common = commonEnv(inf);
        Map<String, String> trainerEnv = new HashMap<>(common);
        trainerEnv.putAll(datasourceEnv(StackSettings.TRAINER_DB));
        trainerEnv.put("QUARKUS_HTTP_PORT", String.valueOf(ports.get(StackSettings.TRAINER)));
        trainerEnv.putAll(settings.trainerEnv());
        Map<String, String> evalEnv = new HashMap<>(common);
        evalEnv.putAll(datasourceEnv(StackSettings.EVAL_DB));
        evalEnv.put("QUARKUS_HTTP_PORT", String.valueOf(ports.get(StackSettings.EVAL)));
        evalEnv.put("HAM_EVAL_ATTACKS", settings.evalAttacks());
        evalEnv.put("HAM_EVAL_TEST_SUBSET", String.valueOf(settings.evalTestSubset()));

        // all JVMs start at once: their start-ups (class loading, PyTorch) overlap
        eval = launch(StackSettings.EVAL, StackSettings.EVAL, ports.get(StackSettings.EVAL), evalEnv);
        for (int i = 0; i < settings.workers(); i++) {
            String name = settings.workers() == 1 ? StackSettings.ATTACK : StackSettings.ATTACK + "-" + (i + 1);
            int port = ports.get(name);
            Map<String, String> env = new HashMap<>(common);
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            env.put("HAM_ATTACK_WORKER_ID", name);
            attackers.add(launch(StackSettings.ATTACK, name, port, env));
        }
        trainer = launch(StackSettings.TRAINER, StackSettings.TRAINER, ports.get(StackSettings.TRAINER), trainerEnv);

        for (ServiceProcess p : children) {
            log.println("waiting for " + p.name() + " (" + p.url() + "/q/health/ready, log " + p.logFile() + ") ...");
            p.awaitReady(settings.readyTimeout());
            checkNotClosing();
        }
        log.println("all services ready");
    }

    private Map<String, Integer> choosePorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<Integer> taken = new ArrayList<>();
        ports.put(StackSettings.TRAINER, fixedOrFree(settings.trainerPort(), "--trainer-port", taken));
        ports.put(StackSettings.EVAL, fixedOrFree(settings.evalPort(), "--eval-port", taken));
        int next = settings.attackPort();
        for (int i = 0; i < settings.workers(); i++) {
            String name = settings.workers() == 1 ? StackSettings.ATTACK : StackSettings.ATTACK + "-" + (i + 1);
            int port;
            if (settings.attackPort() == 0) {
                port = fixedOrFree(0, "--attack-port", taken);
            } else if (i == 0) {
                port = fixedOrFree(next, "--attack-port", taken);
            } else {
                // the following workers take the next free ports above the first one
                do {
                    next++;
                    if (next > 65535) {
                        throw new PortInUseException("no free port above --attack-port " + settings.attackPort()
                                + " for " + settings.workers() + " attack workers");
                    }
                } while (taken.contains(next) || !Ports.isFree(next));
                port = next;
                taken.add(port);
            }
            if (i == 0) {
                next = port;
            }
            ports.put(name, port);
        }
        return ports;
    }

    private static int fixedOrFree(int port, String option, List<Integer> taken) {
        if (port == 0) {
            int p = Ports.free(taken);
            taken.add(p);
            return p;
        }
        if (taken.contains(port) || !Ports.isFree(port)) {
            throw new PortInUseException("port " + port + " is in use (" + option + "); stop what holds it "
                    + "(a stack left running? `ss -ltnp 'sport = :" + port + "'` shows it) or choose another with "
                    + option);
        }
        taken.add(port);
        return port;
    }

    private ServiceProcess launch(String service, String name, int port, Map<String, String> env) throws IOException {
        synchronized (lock) {
            checkNotClosing();
            ServiceProcess p = launcher.launch(settings, service, name, port, env);
            children.add(p);
            launches.put(name, new Launch(service, port, Map.copyOf(env)));
            starts.merge(name, 1, Integer::sum);
            if (!portsInUse.contains(port)) {
                portsInUse.add(port);
            }
            log.println("started " + p);
            return p;
        }
    }

    /**
     * One per stack: the issuer of the stack's API tokens. Only its public key is written down (in the run
     * folder, where the services read it); {@link #operatorToken()} is what the launcher and its user call with.
     */
    private final org.hamkafka.infra.LocalAuth auth = org.hamkafka.infra.LocalAuth.generate();
    private final String operatorToken = auth.operatorToken(java.time.Duration.ofDays(7));

    /** An operator's bearer token for this stack's REST APIs (submit, cancel, read), valid for a week. */
    public String operatorToken() {
        return operatorToken;
    }

    /**
     * The operator's token as a file in the run folder, readable by its owner only, for a user's own calls:
     * {@code curl -H "Authorization: Bearer $(cat <run folder>/api-token)" …}.
     */
    public synchronized Path tokenFile() throws IOException {
        Path f = settings.outDir().resolve("api-token").toAbsolutePath();
        if (!tokenWritten) { // this stack's token, over an earlier run's
            java.nio.file.Files.createDirectories(f.getParent());
            java.nio.file.Files.deleteIfExists(f);
            java.nio.file.Files.createFile(f);
            try {
                java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the run folder's own permissions apply
            }
            java.nio.file.Files.writeString(f, operatorToken + "\n");
            tokenWritten = true;
        }
        return f;
    }

    private boolean tokenWritten;

    /** The trainer's REST API as this stack's operator. */
    public TrainerClient trainerClient() {
        return new TrainerClient(trainer().url(), operatorToken);
    }

    /** One per stack, never written down: the trainer signs checkpoint announcements with it, eval-service checks. */
    private final String checkpointSigningKey = java.util.HexFormat.of().formatHex(randomBytes(32));

    private Path authPublicKey;

    /** The stack's public key as a PEM file in the run folder (written once). */
    private synchronized Path authPublicKey() {
        if (authPublicKey == null) {
            try {
                authPublicKey = auth.writePublicKey(settings.outDir().resolve("api-public-key.pem").toAbsolutePath());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("writing the stack's API public key", e);
            }
        }
        return authPublicKey;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    private Map<String, String> commonEnv(LocalInfra inf) {
        Map<String, String> env = new HashMap<>();
        env.put("HAM_CHECKPOINT_SIGNING_KEY", checkpointSigningKey);
        env.put("HAM_AUTH_PUBLIC_KEY_LOCATION", authPublicKey().toString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", inf.kafka().bootstrapServers());
        env.put("HAM_S3_ENDPOINT", inf.s3().endpoint());
        env.put("HAM_S3_ACCESS_KEY", inf.s3().accessKey());
        env.put("HAM_S3_SECRET_KEY", inf.s3().secretKey());
        env.put("HAM_S3_BUCKET", inf.bucket());
        env.put("HAM_DATA_DIR", settings.dataRoot().toString());
        // local only: the services listen on the loopback interface
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("DJL_OFFLINE", "true");
        env.putAll(settings.extraEnv());
        return env;
    }

    private Map<String, String> datasourceEnv(String database) {
        return Map.of("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(database),
                "QUARKUS_DATASOURCE_USERNAME", infra.postgres().username(),
                "QUARKUS_DATASOURCE_PASSWORD", infra.postgres().password());
    }

    private void createTopics(LocalInfra inf) {
        Map<String, String> large = Map.of("max.message.bytes", MAX_MESSAGE_BYTES);
        List<NewTopic> topics = new ArrayList<>();
        for (String t : Topics.ALL) {
            int partitions = t.equals(Topics.ATTACK_REQUESTS) ? settings.attackPartitions() : 1;
            NewTopic nt = new NewTopic(t, partitions, (short) 1);
            topics.add(t.startsWith("ham.attack.") ? nt.configs(large) : nt);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                inf.kafka().bootstrapServers()))) {
            for (var e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The services' databases, created by (and owned by) the services' role. */
    private static void createDatabases(EmbeddedPostgres pg) {
        String admin = "jdbc:postgresql://localhost:" + pg.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, pg.username(), pg.password());
             Statement s = c.createStatement()) {
            for (String db : List.of(StackSettings.TRAINER_DB, StackSettings.EVAL_DB)) {
                try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                    if (r.next()) {
                        continue;
                    }
                }
                s.execute("CREATE DATABASE " + db);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the databases " + StackSettings.TRAINER_DB + ", "
                    + StackSettings.EVAL_DB + ": " + e.getMessage(), e);
        }
    }

    /**
     * Kafka's code may register JVM shutdown hooks (through its {@code Exit}) and halts the JVM when its log
     * dirs fail ("all log dirs have failed") - which would come before our own hook has stopped the services,
     * left running after Ctrl-C. So such hooks are collected and run by {@link #close()} after the broker is
     * closed, and a halt request from Kafka is reported instead of obeyed.
     */
    private static synchronized void tameKafkaExit(PrintStream log) {
        Exit.setShutdownHookAdder((name, hook) -> PENDING_KAFKA_HOOKS.add(hook));
        Exit.Procedure report = (code, message) -> log.println("the embedded Kafka asked to end the JVM (code " + code
                + (message == null ? "" : ": " + message) + "); not obeyed, so the services are still stopped cleanly");
        Exit.setHaltProcedure(report);
        Exit.setExitProcedure(report);
    }

    private void checkNotClosing() {
        if (closing) {
            throw new StackClosedException("the local stack is shutting down");
        }
    }

    // ---- what callers need once it runs

    public LocalInfra infra() {
        return infra;
    }

    public String bootstrapServers() {
        return infra.kafka().bootstrapServers();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + infra.postgres().port() + "/" + database;
    }

    public ServiceProcess trainer() {
        return trainer;
    }

    public ServiceProcess eval() {
        return eval;
    }

    public List<ServiceProcess> attackWorkers() {
        return List.copyOf(attackers);
    }

    /** Every child process started so far. */
    public List<ServiceProcess> children() {
        return List.copyOf(children);
    }

    /** The TCP ports this stack listened on (services and infra), for checking they are free after close. */
    public List<Integer> ports() {
        return List.copyOf(portsInUse);
    }

    /**
     * Kills trainer-service hard (SIGKILL, no shutdown hooks: what a crash or an OOM kill does) and waits
     * until it is gone; it no longer counts as a child. Its jobs stay RUNNING in PostgreSQL, to be continued
     * by the next trainer ({@link #startTrainer()}).
     */
    public void killTrainer(Duration timeout) throws InterruptedException, java.util.concurrent.TimeoutException {
        ServiceProcess t;
        synchronized (lock) {
            checkNotClosing();
            t = trainer;
            if (t == null || !t.isAlive()) {
                throw new IllegalStateException("trainer-service is not running");
            }
        }
        t.handle().descendants().forEach(ProcessHandle::destroyForcibly);
        t.handle().destroyForcibly();
        try {
            t.handle().onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for trainer-service to die failed", e);
        }
        children.remove(t);
        log.println("killed " + t);
    }

    /**
     * Starts trainer-service again (after {@link #killTrainer}) with the same environment and HTTP port, and
     * waits until it is ready. The previous run's log is kept as {@code trainer-service.run<N>.log}.
     */
    public ServiceProcess startTrainer() throws IOException, InterruptedException {
        ServiceProcess t;
        synchronized (lock) {
            checkNotClosing();
            Launch l = launches.get(StackSettings.TRAINER);
            if (l == null) {
                throw new IllegalStateException("the stack was not started");
            }
            if (trainer != null && trainer.isAlive()) {
                throw new IllegalStateException("trainer-service is still running (pid " + trainer.pid() + ")");
            }
            t = relaunch(StackSettings.TRAINER, l);
            trainer = t;
        }
        t.awaitReady(settings.readyTimeout());
        return t;
    }

    /**
     * The first child that has exited, if any: a service that died while the stack should be up. Under
     * {@link #supervise} only one the supervisor gave up on (a dead child it is about to restart is not).
     */
    public Optional<ServiceProcess> deadChild() {
        return children.stream().filter(p -> !p.isAlive() && (supervisor == null || givenUp.contains(p.name())))
                .findFirst();
    }

    /** How often the supervisor restarted the child of this name. */
    public int restarts(String name) {
        return restarts.getOrDefault(name, 0);
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
        synchronized (lock) {
            checkNotClosing();
            if (supervisor != null) {
                return;
            }
            Thread t = new Thread(() -> superviseLoop(firstBackoff, maxRestarts), "stack-supervisor");
            t.setDaemon(true);
            supervisor = t;
            t.start();
        }
    }

    private void superviseLoop(Duration firstBackoff, int maxRestarts) {
        try {
            while (!closing) {
                for (ServiceProcess p : children) {
                    if (!p.isAlive() && !closing && !givenUp.contains(p.name())) {
                        restart(p, firstBackoff, maxRestarts);
                    }
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void restart(ServiceProcess dead, Duration firstBackoff, int maxRestarts) throws InterruptedException {
        String name = dead.name();
        int done = restarts(name);
        int exit = dead.exitCode();
        if (done >= maxRestarts) {
            log.println("supervisor: " + name + " exited (code " + exit + ") after " + done + " restart(s); leaving it "
                    + "down, see " + dead.logFile());
            givenUp.add(name); // after the message: deadChild() reports it from here on
            return;
        }
        long backoff = Math.min(firstBackoff.toMillis() << Math.min(done, 16), 30_000);
        log.println("supervisor: " + name + " exited (code " + exit + "); restarting it in " + backoff + " ms (restart "
                + (done + 1) + " of at most " + maxRestarts + "), log " + dead.logFile());
        Thread.sleep(backoff);
        Launch l = launches.get(name);
        ServiceProcess fresh;
        try {
            synchronized (lock) {
                if (closing) {
                    return;
                }
                children.remove(dead);
                restarts.put(name, done + 1);
                fresh = relaunch(name, l);
                if (dead == trainer) {
                    trainer = fresh;
                } else if (dead == eval) {
                    eval = fresh;
                } else {
                    int i = attackers.indexOf(dead);
                    if (i >= 0) {
                        attackers.set(i, fresh);
                    }
                }
            }
            fresh.awaitReady(settings.readyTimeout());
            log.println("supervisor: " + name + " is ready again (pid " + fresh.pid() + ")");
        } catch (IOException | RuntimeException e) {
            // the next round sees it dead (or never started) and counts another restart
            if (!closing) {
                log.println("supervisor: restarting " + name + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * Starts a child again as it was launched. Its output redirect truncates the log, so the previous run's is
     * kept first as {@code <name>.run<N>.log}, N counting the runs (the first run's log is {@code .run1}).
     */
    private ServiceProcess relaunch(String name, Launch l) throws IOException {
        java.nio.file.Path current = settings.logFile(name);
        if (java.nio.file.Files.exists(current)) {
            java.nio.file.Files.move(current, current.resolveSibling(name + ".run" + starts.getOrDefault(name, 0) + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return launch(l.service(), name, l.port(), l.env());
    }

    public boolean isClosing() {
        return closing;
    }

    /**
     * Stops the children (SIGTERM to all at once, up to 30 s each to exit, then SIGKILL), then closes
     * PostgreSQL, S3 and Kafka. Idempotent; safe from a shutdown hook.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
        }
        Thread s = supervisor;
        if (s != null) {
            s.interrupt();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            List<ServiceProcess> all = new ArrayList<>(children);
            // the trainer first, so it does not wait for attack results of workers that are gone
            all.sort((a, b) -> Boolean.compare(!a.name().equals(StackSettings.TRAINER),
                    !b.name().equals(StackSettings.TRAINER)));
            if (!all.isEmpty() || infra != null) {
                log.println("stopping the local stack ...");
            }
            all.forEach(ServiceProcess::requestStop);
            List<String> problems = new ArrayList<>();
            for (ServiceProcess p : all) {
                try {
                    Optional<Integer> code = p.stop(stopGrace);
                    if (code.isEmpty()) {
                        problems.add(p.name() + " (pid " + p.pid() + ") did not exit");
                    } else {
                        log.println("  " + p.name() + " stopped (exit code " + code.get() + ")");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.handle().destroyForcibly();
                }
            }
            LocalInfra inf = infra;
            if (inf != null) {
                try {
                    inf.close();
                    log.println("  Kafka, S3 and PostgreSQL stopped");
                } catch (RuntimeException e) {
                    problems.add("infrastructure: " + e.getMessage());
                }
                for (Runnable hook : kafkaExitHooks) {
                    try {
                        hook.run();
                    } catch (RuntimeException e) {
                        problems.add("Kafka clean-up: " + e.getMessage());
                    }
                    PENDING_KAFKA_HOOKS.remove(hook);
                }
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
