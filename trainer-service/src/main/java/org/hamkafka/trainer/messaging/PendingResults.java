package org.hamkafka.trainer.messaging;

import org.hamkafka.contracts.AttackResult;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The attack results a running job waits for, one future per (job, step, shard). The consumer of
 * {@code ham.attack.results} completes them; a result nobody waits for (unknown or cancelled job,
 * a duplicate after a resend) is dropped.
 */
public final class PendingResults {
    record Key(String jobId, long step, int shard) {
    }

    private record Wait(long modelVersion, CompletableFuture<AttackResult> future) {
    }

    private final Map<Key, Wait> pending = new ConcurrentHashMap<>();

    /**
     * Registers interest in a shard's result for the given model version (before the request is
     * sent, so no result is missed). A fresh future replaces an earlier one (a resend after an error
     * result or a timeout).
     */
    public CompletableFuture<AttackResult> expect(String jobId, long step, int shard, long modelVersion) {
        CompletableFuture<AttackResult> f = new CompletableFuture<>();
        pending.put(new Key(jobId, step, shard), new Wait(modelVersion, f));
        return f;
    }

    /**
     * Hands a result to its waiter; false when nobody waits for it or it answers a request for
     * another model version (a leftover from before a restart).
     */
    public boolean complete(AttackResult result) {
        Wait w = pending.get(new Key(result.jobId(), result.step(), result.shardIndex()));
        if (w == null || w.modelVersion() != result.modelVersion()) {
            return false;
        }
        return w.future().complete(result);
    }

    /** Forgets a shard once its result was used. */
    public void remove(String jobId, long step, int shard) {
        pending.remove(new Key(jobId, step, shard));
    }

    /** Fails every wait of a job (cancel or halt) and forgets them. */
    public void abandon(String jobId, String why) {
        pending.entrySet().removeIf(e -> {
            if (e.getKey().jobId().equals(jobId)) {
                e.getValue().future().completeExceptionally(new CancellationException(why));
                return true;
            }
            return false;
        });
    }

    public int size() {
        return pending.size();
    }
}
