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

    private final Map<Key, CompletableFuture<AttackResult>> pending = new ConcurrentHashMap<>();

    /** Registers interest in a shard's result (before the request is sent, so no result is missed). */
    public CompletableFuture<AttackResult> expect(String jobId, long step, int shard) {
        return pending.computeIfAbsent(new Key(jobId, step, shard), k -> new CompletableFuture<>());
    }

    /** Hands a result to its waiter; false when nobody waits for it. */
    public boolean complete(AttackResult result) {
        CompletableFuture<AttackResult> f = pending.get(new Key(result.jobId(), result.step(), result.shardIndex()));
        if (f == null) {
            return false;
        }
        return f.complete(result);
    }

    /** Forgets a shard once its result was used. */
    public void remove(String jobId, long step, int shard) {
        pending.remove(new Key(jobId, step, shard));
    }

    /** A resend gets a fresh future (the old one may have been completed by an error result). */
    public CompletableFuture<AttackResult> renew(String jobId, long step, int shard) {
        Key k = new Key(jobId, step, shard);
        CompletableFuture<AttackResult> f = new CompletableFuture<>();
        pending.put(k, f);
        return f;
    }

    /** Fails every wait of a job (cancel or halt) and forgets them. */
    public void abandon(String jobId, String why) {
        pending.entrySet().removeIf(e -> {
            if (e.getKey().jobId().equals(jobId)) {
                e.getValue().completeExceptionally(new CancellationException(why));
                return true;
            }
            return false;
        });
    }

    public int size() {
        return pending.size();
    }
}
