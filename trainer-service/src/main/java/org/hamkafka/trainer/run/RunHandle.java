package org.hamkafka.trainer.run;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/** Control of one running job from outside its worker thread: cancel (final) or halt (as a crash would). */
public final class RunHandle {
    final String jobId;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile boolean halted;
    /** Claimed once: by the worker thread when it starts, or by a cancel while the job still waits in the pool. */
    private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();

    RunHandle(String jobId) {
        this.jobId = jobId;
    }

    void cancel() {
        cancelled = true;
    }

    void halt() {
        halted = true;
    }

    /** The worker thread's claim; false when a cancel ended the job before it started. */
    boolean claimForWorker() {
        return claimed.compareAndSet(false, true);
    }

    /** A cancel's claim on a job still waiting for a worker thread; false when the worker has it already. */
    boolean claimForCancelBeforeStart() {
        if (claimed.compareAndSet(false, true)) {
            cancelled = true;
            return true;
        }
        return false;
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean halted() {
        return halted;
    }

    /** Throws when the job should stop; called between steps and while waiting for attack results. */
    void checkActive() {
        if (halted) {
            throw new CancellationException("job " + jobId + " halted");
        }
        if (cancelled) {
            throw new CancellationException("job " + jobId + " cancelled");
        }
    }
}
