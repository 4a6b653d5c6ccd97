package org.hamkafka.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The stack's service processes: launches them (and again, as they were launched), knows which is the
 * trainer, eval-service and each attack worker, and stops them all.
 *
 * <p>Also owns the stack's closing state: once {@link #beginClosing()} ran, nothing is launched.
 */
final class Children {
    private final StackSettings settings;
    private final PrintStream log;
    private final Stack.Launcher launcher;
    private final Object lock = new Object();
    private volatile boolean closing;
    private final List<ServiceProcess> children = new CopyOnWriteArrayList<>();
    private final List<Integer> ports = new CopyOnWriteArrayList<>();
    private volatile ServiceProcess trainer;
    private volatile ServiceProcess eval;
    private final List<ServiceProcess> attackers = new CopyOnWriteArrayList<>();
    /** How each child was launched (service, port, environment), by name: what a restart repeats. */
    private final Map<String, Launch> launches = new ConcurrentHashMap<>();
    /** Processes started per child name so far (names the kept logs: {@code <name>.run<N>.log}). */
    private final Map<String, Integer> starts = new ConcurrentHashMap<>();

    private record Launch(String service, int port, Map<String, String> env) {
    }

    Children(StackSettings settings, PrintStream log, Stack.Launcher launcher) {
        this.settings = settings;
        this.log = log;
        this.launcher = launcher;
    }

    // ---- closing

    boolean isClosing() {
        return closing;
    }

    void checkNotClosing() {
        if (closing) {
            throw new Stack.StackClosedException("the local stack is shutting down");
        }
    }

    /** Runs {@code action} unless the stack is closing (then throws), atomically with {@link #beginClosing()}. */
    void whileOpen(Runnable action) {
        synchronized (lock) {
            checkNotClosing();
            action.run();
        }
    }

    /** From here on nothing is launched or restarted. */
    void beginClosing() {
        synchronized (lock) {
            closing = true;
        }    }

    // ---- launching

    /** Fails when the services' fast-jars are to be launched and one of them is not built. */
    void checkBuilt() {
        for (String service : List.of(StackSettings.TRAINER, StackSettings.ATTACK, StackSettings.EVAL)) {
            if (launcher == Stack.FAST_JARS && !settings.jar(service).toFile().isFile()) {
                throw new IllegalStateException(service + " is not built: " + settings.jar(service)
                        + " is missing. Build with: mvn -B -q -ntp package -DskipTests (scripts/run.sh does)");
            }
        }
    }

    /** Launches a service process and records its role (trainer, eval-service or one more attack worker). */
    ServiceProcess start(String service, String name, int port, Map<String, String> env) throws IOException {
        ServiceProcess p = launch(service, name, port, env);
        switch (service) {
            case StackSettings.TRAINER -> trainer = p;
            case StackSettings.EVAL -> eval = p;
            default -> attackers.add(p);
        }
        return p;
    }

    private ServiceProcess launch(String service, String name, int port, Map<String, String> env) throws IOException {
        synchronized (lock) {
            checkNotClosing();
            ServiceProcess p = launcher.launch(settings, service, name, port, env);
            children.add(p);
            launches.put(name, new Launch(service, port, Map.copyOf(env)));
            starts.merge(name, 1, Integer::sum);
            if (!ports.contains(port)) {
                ports.add(port);
            }
            log.println("started " + p);
            return p;
        }
    }

    /**
     * Starts a child again as it was launched. Its output redirect truncates the log, so the previous run's is
     * kept first as {@code <name>.run<N>.log}, N counting the runs (the first run's log is {@code .run1}).
     */
    private ServiceProcess relaunch(String name, Launch l) throws IOException {
        Path current = settings.logFile(name);
        if (Files.exists(current)) {
            Files.move(current, current.resolveSibling(name + ".run" + starts.getOrDefault(name, 0) + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return launch(l.service(), name, l.port(), l.env());
    }

    // ---- what callers see

    ServiceProcess trainer() {
        return trainer;
    }

    ServiceProcess eval() {
        return eval;
    }

    List<ServiceProcess> attackWorkers() {
        return List.copyOf(attackers);
    }

    List<ServiceProcess> children() {
        return List.copyOf(children);
    }

    /** The HTTP ports of the services launched so far. */
    List<Integer> ports() {
        return List.copyOf(ports);
    }

    // ---- the trainer on purpose

    /** Kills trainer-service with SIGKILL and waits until it is gone; it no longer counts as a child. */
    void killTrainer(Duration timeout) throws InterruptedException, TimeoutException {
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
            t.handle().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for trainer-service to die failed", e);
        }
        children.remove(t);
        log.println("killed " + t);
    }

    /** Starts trainer-service again with the same environment and HTTP port, and waits until it is ready. */
    ServiceProcess startTrainer() throws IOException, InterruptedException {
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
     * Starts the dead child again as it was launched, in its role; null when the stack is closing. The
     * previous run's log is kept as {@code <name>.run<N>.log}.
     */
    ServiceProcess replace(ServiceProcess dead) throws IOException {
        synchronized (lock) {
            if (closing) {
                return null;
            }
            children.remove(dead);
            ServiceProcess fresh = relaunch(dead.name(), launches.get(dead.name()));
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
            return fresh;
        }
    }

    // ---- stopping

    /**
     * SIGTERM to every child at once (the trainer first, so it does not wait for attack results of workers that
     * are gone), up to {@code grace} each to exit, then SIGKILL. Returns what did not stop.
     */
    List<String> stopAll(Duration grace) {
        List<ServiceProcess> all = new ArrayList<>(children);
        all.sort((a, b) -> Boolean.compare(!a.name().equals(StackSettings.TRAINER),
                !b.name().equals(StackSettings.TRAINER)));
        all.forEach(ServiceProcess::requestStop);
        List<String> problems = new ArrayList<>();
        for (ServiceProcess p : all) {
            try {
                Optional<Integer> code = p.stop(grace);
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
        return problems;
    }
}
