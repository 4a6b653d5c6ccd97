package org.hamkafka.trainer.storage;

import org.hamkafka.trainer.job.JobFailure;

import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One job's S3 writes (and the job-row updates that say they are done), run in submission order on a
 * thread of their own so that a training step does not wait for them. A failed write stops everything
 * queued after it (a delete must never overtake the write that makes it safe) and fails the job at
 * its next {@link #check}.
 */
public final class OrderedWrites implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OrderedWrites.class);

    private final String jobId;
    private final ExecutorService thread;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    public OrderedWrites(String jobId) {
        this.jobId = jobId;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ham-writes-" + jobId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code write}; {@code what} names it in the job's error if it fails. */
    synchronized void submit(String what, Runnable write) {
        tail = tail.thenRunAsync(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                throw new JobFailure(what + " failed: " + e.getMessage(), e);
            }
        }, thread);
    }

    /** Throws the first failure of a write done so far; does not wait for the others. */
    public void check() {
        CompletableFuture<Void> t;
        synchronized (this) {
            t = tail;
        }
        if (t.isCompletedExceptionally()) {
            await();
        }
    }

    /** Waits until everything submitted so far is written; throws the first failure. */
    public void await() {
        CompletableFuture<Void> t;
        synchronized (this) {
            t = tail;
        }
        try {
            t.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof JobFailure f) {
                throw f;
            }
            throw new JobFailure("a background write of job " + jobId + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Lets the queued writes finish (up to 30 s), then stops the thread. Waits even when the job thread
     * was interrupted (a halt): a write still running after the job stopped could replace the resume state
     * that a resumed run of the job has just started from. Waits for the last write itself, not only for the
     * thread: a write reaches the thread only once the one before it is done, so shutting the thread down
     * while a write runs would reject (drop) everything queued behind it.
     */
    @Override
    public void close() {
        CompletableFuture<Void> t;
        synchronized (this) {
            t = tail;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!t.isDone() && System.nanoTime() < deadline) {
            try {
                t.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // remembered for the caller; keep waiting
            } catch (ExecutionException | TimeoutException e) {
                break; // a failed write: nothing after it runs (check / await report it)
            }
        }
        thread.shutdown();
        while (!thread.isTerminated() && System.nanoTime() < deadline) {
            try {
                thread.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (!t.isDone() || !thread.isTerminated()) {
            LOG.warnf("job %s: background S3 writes still running after 30 s; abandoning them", jobId);
            thread.shutdownNow();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
