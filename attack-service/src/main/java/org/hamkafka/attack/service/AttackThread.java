package org.hamkafka.attack.service;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread every attack of this worker runs on, always the same. PyTorch's CPU kernels (OpenMP) keep
 * per-calling-thread state: the same attack handed in turn to 8 threads ran at half the rate of one thread
 * (`bash scripts/bench.sh threads`; docs/benchmarks.md, "Attack from one thread or several"). Requests read
 * from Kafka and requests released from the parking both come here, so one attack runs at a time per worker;
 * run more workers to scale.
 */
@ApplicationScoped
public class AttackThread implements java.util.concurrent.Executor {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ham-attack");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void execute(Runnable task) {
        thread.execute(task);
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
    }
}
