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
import org.jboss.logging.Logger;

/**
 * {@code ham.attack.requests} → attack half → {@code ham.attack.results}. Runs on one dedicated
 * worker thread (an attack takes seconds); instances share the consumer group {@code ham-attack-workers}, so the
 * partitions spread the shards over them. A record that cannot be served goes to
 * {@code ham.attack.requests.dlq} with the reason, and, when it named a shard, a failed
 * {@link AttackResult} tells the trainer at once; either way the next record is read.
 */
@ApplicationScoped
public class AttackRequestConsumer {
    private static final Logger LOG = Logger.getLogger(AttackRequestConsumer.class);
    /**
     * The named worker pool the attacks run on, sized 1 in application.properties. PyTorch's CPU kernels
     * (OpenMP) keep per-calling-thread state: the same attack handed in turn to 8 threads ran at half the
     * rate of one thread (`bash scripts/bench.sh threads`, docs/benchmarks.md §4).
     */
    static final String ATTACK_THREAD = "ham-attack";

    private final AttackWorker worker;
    private final SnapshotDigests digests;
    private final AttackMetrics metrics;
    private final WorkerSettings settings;
    private final DeadLetters deadLetters;
    private final MutinyEmitter<byte[]> results;

    public AttackRequestConsumer(AttackWorker worker, SnapshotDigests digests, AttackMetrics metrics,
                                 WorkerSettings settings,
                                 @Channel("attack-requests-dlq") MutinyEmitter<byte[]> deadLetterChannel,
                                 @Channel("attack-results") MutinyEmitter<byte[]> results) {
        this.worker = worker;
        this.digests = digests;
        this.metrics = metrics;
        this.settings = settings;
        this.deadLetters = new DeadLetters(deadLetterChannel);
        this.results = results;
    }

    @Incoming("attack-requests")
    @Blocking(ATTACK_THREAD) // one thread, always the same (see ATTACK_THREAD)
    public void onRequest(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        AttackRequest request;
        try {
            request = Codec.fromBytes(record.value(), AttackRequest.class);
        } catch (ContractException | IllegalArgumentException e) {
            reject(record, null, "malformed", e);
            return;
        }
        try {
            if (expired(record, request)) {
                return;
            }
            long t0 = System.nanoTime();
            SnapshotRef ref = digests.await(request.jobId(), request.modelVersion(), request.modelKey(),
                    settings.snapshotWait(), settings.unknownJobWait());
            if (expired(record, request)) {
                return;
            }
            long t1 = System.nanoTime();
            AttackedShard shard = worker.attack(ShardMessages.shard(request, ref));
            long t2 = System.nanoTime();
            metrics.record(shard);
            send(request.jobId(), ShardMessages.result(request, shard));
            metrics.outcome("ok");
            // where a request's time goes: the snapshot's digest, snapshot load + attack, the result's send
            LOG.debugf("job %s step %d shard %d: kept %d of %d; digest wait %.1f ms, snapshot and attack %.1f ms "
                    + "(attack %.0f ms), result sent %.1f ms", request.jobId(), request.step(), request.shardIndex(),
                    shard.stats().examplesKept(), shard.stats().examplesIn(), (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    shard.stats().millis(), (System.nanoTime() - t2) / 1e6);
        } catch (InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            // impossible setting, unusable snapshot, or an engine failure: nothing to retry with the same input
            reject(record, request, e instanceof IllegalArgumentException ? "invalid" : "failed", e);
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

    private void reject(ConsumerRecord<String, byte[]> record, AttackRequest request, String kind, Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        LOG.warnf("%s record %s-%d@%d (key %s) to the dead-letter topic: %s", kind, record.topic(), record.partition(),
                record.offset(), record.key(), reason);
        if (!"malformed".equals(kind)) {
            LOG.debug("cause", e);
        }
        deadLetters.send(record, reason);
        if (request != null) {
            send(request.jobId(), AttackResult.failure(request, worker.workerId(), reason));
        }
        metrics.outcome(kind);
    }

    private void send(String jobId, AttackResult result) {
        results.sendMessageAndAwait(Message.of(Codec.toBytes(result))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(Topics.key(jobId)).build()));
    }
}
