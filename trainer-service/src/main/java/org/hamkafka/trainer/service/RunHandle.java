package org.hamkafka.trainer.service;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/** Control of one running job from outside its worker thread: cancel (final) or halt (as a crash would). */
final class RunHandle {
    final String jobId;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile boolean halted;

    RunHandle(String jobId) {
        this.jobId = jobId;
    }

    void cancel() {
        cancelled = true;
    }

    void halt() {
        halted = true;
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
