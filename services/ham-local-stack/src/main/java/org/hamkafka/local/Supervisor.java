package org.hamkafka.local;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the stack's children and starts again those that die, with a back-off, up to a number of restarts
 * per child; then gives up on that child and reports it through {@link #deadChild()}.
 */
final class Supervisor {
    private final StackSettings settings;
    private final PrintStream log;
    private final Children children;
    /** Restarts per child name so far, and the children the supervisor gave up on. */
    private final Map<String, Integer> restarts = new ConcurrentHashMap<>();
    private final Set<String> givenUp = ConcurrentHashMap.newKeySet();
    private volatile Thread thread;

    Supervisor(StackSettings settings, PrintStream log, Children children) {
        this.settings = settings;
        this.log = log;
        this.children = children;
    }

    /** See {@link Stack#supervise}. */
    void supervise(Duration firstBackoff, int maxRestarts) {
        children.whileOpen(() -> {
            if (thread != null) {
                return;
            }
            Thread t = new Thread(() -> superviseLoop(firstBackoff, maxRestarts), "stack-supervisor");
            t.setDaemon(true);
            thread = t;
            t.start();
        });
    }

    /** Ends the watching (the stack is closing). */
    void interrupt() {
        Thread s = thread;
        if (s != null) {
            s.interrupt();
        }
    }

    /** The first child that has exited; under {@link #supervise} only one the supervisor gave up on. */
    Optional<ServiceProcess> deadChild() {
        return children.children().stream()
                .filter(p -> !p.isAlive() && (thread == null || givenUp.contains(p.name()))).findFirst();
    }

    int restarts(String name) {
        return restarts.getOrDefault(name, 0);
    }

    private void superviseLoop(Duration firstBackoff, int maxRestarts) {
        try {
            while (!children.isClosing()) {
                for (ServiceProcess p : children.children()) {
                    if (!p.isAlive() && !children.isClosing() && !givenUp.contains(p.name())) {
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
        try {
            if (children.isClosing()) {
                return;
            }
            restarts.put(name, done + 1);
            ServiceProcess fresh = children.replace(dead);
            if (fresh == null) {
                return;
            }
            fresh.awaitReady(settings.readyTimeout());
            log.println("supervisor: " + name + " is ready again (pid " + fresh.pid() + ")");
        } catch (IOException | RuntimeException e) {
            // the next round sees it dead (or never started) and counts another restart
            if (!children.isClosing()) {
                log.println("supervisor: restarting " + name + " failed: " + e.getMessage());
            }
        }
    }
}
