package org.hamkafka.trainer.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.contracts.Topics;
import org.hamkafka.contracts.TrainingProgress;
import org.hamkafka.contracts.Versioned;
import org.hamkafka.service.CheckpointSigning;
import org.hamkafka.service.DeadLetters;
import org.hamkafka.service.Tracing;
import io.opentelemetry.context.Context;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The trainer's Kafka side: publishes snapshots, attack requests, progress and checkpoints (the contracts'
 * {@link Codec}: binary envelopes for snapshots and requests, JSON for the rest; keyed as {@link Topics} says) and
 * consumes attack results into {@link PendingResults}. A result that cannot be read is sent, as a {@code DeadLetter}
 * with the reason, to {@code ham.attack.results.dlq} through this class' own emitter, and consuming goes on.
 */
@ApplicationScoped
public class TrainerMessaging {
    private static final Logger LOG = Logger.getLogger(TrainerMessaging.class);

    private final PendingResults pending = new PendingResults();

    @Inject
    @Channel("attack-requests")
    Emitter<byte[]> attackRequests;

    @Inject
    @Channel("models")
    Emitter<byte[]> models;

    @Inject
    @Channel("training-progress")
    Emitter<byte[]> progress;

    @Inject
    @Channel("checkpoints")
    Emitter<byte[]> checkpoints;

    @Inject
    MeterRegistry registry;

    @Inject
    CheckpointSigning signing;

    @Inject
    Tracing tracing;

    private Counter ignored;

    public PendingResults pending() {
        return pending;
    }

    /**
     * Sends one shard, the {@code attempt}-th time; keyed {@code <job>/<step>/<shard>[/<attempt>]} so the shards
     * spread over the partitions and a resend is not bound to the partition (and worker) of the first.
     */
    public CompletionStage<Void> sendAttackRequest(AttackRequest r, int attempt, Context step) {
        return send(attackRequests, Topics.attackRequestKey(r.jobId(), r.step(), r.shardIndex(), attempt), r, step);
    }

    public CompletionStage<Void> publishSnapshot(ModelSnapshot s) {
        return send(models, Topics.key(s.jobId()), s, null);
    }

    public CompletionStage<Void> publishProgress(TrainingProgress p) {
        return send(progress, Topics.key(p.jobId()), p, null);
    }

    /**
     * Signed here, so that no announcement leaves the trainer unsigned (eval-service refuses those); under
     * {@code trace}, so that its evaluation joins the trace of the step that finished the epoch.
     */
    public CompletionStage<Void> publishCheckpoint(CheckpointAnnouncement c, Context trace) {
        return send(checkpoints, Topics.key(c.jobId()), signing.sign(c), trace);
    }

    /**
     * {@code payload} encoded (an {@code encode} span under {@code trace}) and sent under {@code trace}; untraced
     * when {@code trace} is null (snapshots and progress: their channels are not traced).
     */
    private CompletionStage<Void> send(Emitter<byte[]> emitter, String key, Versioned payload, Context trace) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<byte[]> m = trace == null ? Message.of(Codec.toBytes(payload))
                : Tracing.under(trace, Message.of(tracing.span(Tracing.ENCODE, trace, () -> Codec.toBytes(payload))));
        m = m.addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    done.completeExceptionally(t);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(m);
        return done;
    }

    @Inject
    @Channel("attack-results-dlq")
    MutinyEmitter<byte[]> attackResultsDlq;

    /**
     * Hands each attack result to the job waiting for it. A malformed record goes to
     * {@code ham.attack.results.dlq} as a {@code DeadLetter} with the reason (the format of every other
     * dead-letter topic); results nobody waits for are counted and dropped.
     */
    @Incoming("attack-results")
    @Blocking
    public void onAttackResult(ConsumerRecord<String, byte[]> record) {
        Context trace = tracing.sentWith(record);
        tracing.transit(trace, record);
        AttackResult r;
        try {
            r = tracing.span(Tracing.DECODE, trace, () -> Codec.fromBytes(record.value(), AttackResult.class));
        } catch (ContractException | IllegalArgumentException e) {
            LOG.warnf("malformed attack result %s-%d@%d to the dead-letter topic: %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            new DeadLetters(attackResultsDlq).send(record, e.getMessage());
            return;
        }
        if (!pending.complete(r)) {
            if (ignored == null) {
                ignored = registry.counter("ham_trainer_attack_results_ignored_total");
            }
            ignored.increment();
            LOG.debugf("ignoring attack result of job %s step %d shard %d: nobody waits for it", r.jobId(), r.step(),
                    r.shardIndex());
        }
    }
}
