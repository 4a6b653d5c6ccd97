package org.hamkafka.attack.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hamkafka.attack.service.AttackMetrics;
import org.hamkafka.attack.service.AttackThread;
import org.hamkafka.attack.service.WorkerSettings;
import org.hamkafka.attack.service.AttackWorker;
import org.hamkafka.attack.service.AttackedShard;
import org.hamkafka.attack.service.SnapshotDigests;
import org.hamkafka.attack.service.SnapshotRef;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.Topics;
import org.hamkafka.service.DeadLetters;
import org.hamkafka.service.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * {@code ham.attack.requests} → attack half → {@code ham.attack.results}. Records are read one at a time and
 * attacked on the worker's one {@link AttackThread}; instances share the consumer group
 * {@code ham-attack-workers}, so the partitions spread the shards over them. A request whose model snapshot is
 * not announced yet is parked ({@link SnapshotDigests#whenAnnounced}) and the next record is read: waiting for
 * an announcement never holds the attack thread. A record that cannot be served goes to
 * {@code ham.attack.requests.dlq} with the reason, and, when it named a shard, a failed {@link AttackResult}
 * tells the trainer at once.
 */
@ApplicationScoped
public class AttackRequestConsumer {
    private static final Logger LOG = Logger.getLogger(AttackRequestConsumer.class);

    private final AttackWorker worker;
    private final SnapshotDigests digests;
    private final AttackMetrics metrics;
    private final WorkerSettings settings;
    private final AttackThread attackThread;
    private final DeadLetters deadLetters;
    private final MutinyEmitter<byte[]> results;
    private final Tracing tracing;

    public AttackRequestConsumer(AttackWorker worker, SnapshotDigests digests, AttackMetrics metrics,
                                 WorkerSettings settings, AttackThread attackThread,
                                 @Channel("attack-requests-dlq") MutinyEmitter<byte[]> deadLetterChannel,
                                 @Channel("attack-results") MutinyEmitter<byte[]> results, Tracing tracing) {
        this.worker = worker;
        this.digests = digests;
        this.metrics = metrics;
        this.settings = settings;
        this.attackThread = attackThread;
        this.deadLetters = new DeadLetters(deadLetterChannel);
        this.results = results;
        this.tracing = tracing;
    }

    @Incoming("attack-requests")
    @Blocking // ordered: the next record waits until this one is attacked or parked
    public void onRequest(ConsumerRecord<String, byte[]> record) throws InterruptedException, ExecutionException {
        Context trace = tracing.sentWith(record); // the trainer's step: this shard's spans and its result join it
        tracing.transit(trace, record);
        AttackRequest request;
        try {
            request = tracing.span(Tracing.DECODE, trace, () -> Codec.fromBytes(record.value(), AttackRequest.class));
        } catch (ContractException | IllegalArgumentException e) {
            reject(record, null, "malformed", e, trace);
            return;
        }
        if (expired(record, request)) {
            return;
        }
        CompletableFuture<SnapshotRef> ref = digests.whenAnnounced(request.jobId(), request.modelVersion(),
                request.modelKey(), settings.snapshotWait(), settings.unknownJobWait());
        long parkedAt = System.nanoTime();
        Span awaitSnapshot = tracing.builder(Tracing.AWAIT_SNAPSHOT, trace)
                .setAttribute(Tracing.SHARD, (long) request.shardIndex()).startSpan();
        CompletableFuture<Void> served = ref.handleAsync((r, e) -> {
            awaitSnapshot.end();
            serve(record, request, r, e, parkedAt, trace);
            return null;
        }, attackThread);
        if (ref.isDone()) {
            served.get(); // back-pressure: read the next record once this one is attacked
        } else {
            metrics.parked();
            LOG.debugf("job %s step %d shard %d parked until version %d is announced", request.jobId(),
                    request.step(), request.shardIndex(), request.modelVersion());
        }
    }

    /** On the attack thread: attacks {@code request} with snapshot {@code ref}, or dead-letters it with why not. */
    private void serve(ConsumerRecord<String, byte[]> record, AttackRequest request, SnapshotRef ref,
                       Throwable refused, long parkedAt, Context trace) {
        try {
            if (refused != null) {
                throw refused instanceof CompletionException && refused.getCause() != null
                        ? refused.getCause() : refused;
            }
            if (expired(record, request)) {
                return;
            }
            long t1 = System.nanoTime();
            AttackedShard shard = tracing.span(Tracing.ATTACK, trace,
                    () -> worker.attack(ShardMessages.shard(request, ref)));
            long t2 = System.nanoTime();
            metrics.record(shard);
            send(request.jobId(), ShardMessages.result(request, shard), trace);
            metrics.outcome("ok");
            // where a request's time goes: waiting for the snapshot's digest, snapshot load + attack, the result's send
            LOG.debugf("job %s step %d shard %d: kept %d of %d; digest wait %.1f ms, snapshot and attack %.1f ms "
                    + "(attack %.0f ms), result sent %.1f ms", request.jobId(), request.step(), request.shardIndex(),
                    shard.stats().examplesKept(), shard.stats().examplesIn(), (t1 - parkedAt) / 1e6, (t2 - t1) / 1e6,
                    shard.stats().millis(), (System.nanoTime() - t2) / 1e6);
        } catch (RuntimeException e) {
            // impossible setting, unusable snapshot, or an engine failure: nothing to retry with the same input
            reject(record, request, e instanceof IllegalArgumentException ? "invalid" : "failed", e, trace);
        } catch (Throwable e) {
            reject(record, request, "failed", new IllegalStateException(e.toString(), e), trace);
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /**
     * True (and the request dead-lettered, no result sent: no trainer waits for it any more) when the request is
     * older than {@code ham.attack.request-budget}.
     */
    private boolean expired(ConsumerRecord<String, byte[]> record, AttackRequest request) {
        String problem = overBudget(record.timestamp(), System.currentTimeMillis(), settings.requestBudget());
        if (problem == null) {
            return false;
        }
        LOG.warnf("job %s step %d shard %d abandoned: %s", request.jobId(), request.step(), request.shardIndex(),
                problem);
        deadLetters.send(record, problem);
        metrics.outcome("expired");
        return true;
    }

    /** Null when a request produced at {@code producedAt} (ms) is within its budget at {@code now}, else why not. */
    static String overBudget(long producedAt, long now, java.time.Duration budget) {
        long age = now - producedAt;
        if (producedAt < 0 || age <= budget.toMillis()) {
            return null; // no timestamp to judge by, or young enough
        }
        return "expired: the request is " + age / 1000 + " s old, over its budget of " + budget.toSeconds()
                + " s (ham.attack.request-budget); its trainer has resent it or given up on it";
    }

    private void reject(ConsumerRecord<String, byte[]> record, AttackRequest request, String kind, Exception e,
                        Context trace) {
        String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        LOG.warnf("%s record %s-%d@%d (key %s) to the dead-letter topic: %s", kind, record.topic(), record.partition(),
                record.offset(), record.key(), reason);
        if (!"malformed".equals(kind)) {
            LOG.debug("cause", e);
        }
        deadLetters.send(record, reason);
        if (request != null) {
            send(request.jobId(), AttackResult.failure(request, worker.workerId(), reason), trace);
        }
        metrics.outcome(kind);
    }

    /** The result, encoded and sent under the request's trace: the trainer's side of the step joins it. */
    private void send(String jobId, AttackResult result, Context trace) {
        byte[] bytes = tracing.span(Tracing.ENCODE, trace, () -> Codec.toBytes(result));
        results.sendMessageAndAwait(Tracing.under(trace, Message.of(bytes))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(Topics.key(jobId)).build()));
    }
}
