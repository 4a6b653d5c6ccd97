package org.hamkafka.eval.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import org.hamkafka.eval.service.EvalMetrics;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.Topics;
import org.hamkafka.eval.persistence.EvalResultEntity;
import org.hamkafka.eval.persistence.EvalResultStore;
import org.hamkafka.eval.service.CheckpointEvaluator;
import org.hamkafka.eval.service.Evaluation;
import org.hamkafka.service.DeadLetters;
import org.hamkafka.service.Tracing;
import io.opentelemetry.context.Context;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code ham.checkpoints} → evaluation → PostgreSQL and {@code ham.eval.results}. A checkpoint
 * (object key + sha256) is evaluated, stored and published once, however often it is announced; a
 * row stored but not yet published (a crash in between) is published on the next announcement. A
 * checkpoint that cannot be evaluated is stored as REJECTED with the reason and dead-lettered.
 */
@ApplicationScoped
public class CheckpointConsumer {
    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    private final CheckpointEvaluator evaluator;
    private final EvalResultStore store;
    private final DeadLetters deadLetters;
    private final MutinyEmitter<byte[]> results;
    private final MeterRegistry registry;
    private final EvalMetrics metrics;
    private final Tracing tracing;

    public CheckpointConsumer(CheckpointEvaluator evaluator, EvalResultStore store,
                              @Channel("checkpoints-dlq") MutinyEmitter<byte[]> deadLetterChannel,
                              @Channel("eval-results") MutinyEmitter<byte[]> results, MeterRegistry registry,
                              EvalMetrics metrics, Tracing tracing) {
        this.evaluator = evaluator;
        this.store = store;
        this.deadLetters = new DeadLetters(deadLetterChannel);
        this.results = results;
        this.registry = registry;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    @Incoming("checkpoints")
    @Blocking("ham-eval") // one thread, always the same: PyTorch is much slower when calls hop between threads
    public void onCheckpoint(ConsumerRecord<String, byte[]> record) {
        Context trace = tracing.sentWith(record); // the trace of the step that finished the checkpoint's epoch
        tracing.transit(trace, record);
        CheckpointAnnouncement a;
        try {
            a = tracing.span(Tracing.DECODE, trace, () -> Codec.fromBytes(record.value(), CheckpointAnnouncement.class));
        } catch (ContractException | IllegalArgumentException e) {
            LOG.warnf("malformed record %s-%d@%d to the dead-letter topic: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            deadLetters.send(record, e.getMessage());
            outcome("malformed");
            return;
        }
        String forged = evaluator.forgery(a);
        if (forged != null) {
            // not the trainer's: never evaluated, never published; stored as REJECTED where the checkpoint has no
            // row yet (a real evaluation of it keeps its row), always dead-lettered with the reason
            LOG.warnf("checkpoint announcement refused: %s", forged);
            store.storeRejected(a, forged);
            deadLetters.send(record, forged);
            outcome("forged");
            return;
        }
        Optional<EvalResultEntity> existing = store.find(a.objectKey(), a.sha256());
        if (existing.isPresent() && existing.get().status == EvalResultEntity.Status.EVALUATED) {
            if (!existing.get().published) {
                publish(existing.get(), trace);
                outcome("republished");
            } else {
                LOG.infof("checkpoint %s (job %s epoch %d) was evaluated already; not evaluated again", a.objectKey(),
                        a.jobId(), a.epoch());
                outcome("duplicate");
            }
            return;
        }
        Evaluation evaluation;
        try {
            evaluation = registry.timer("ham.eval.time").recordCallable(
                    () -> tracing.span(Tracing.EVALUATE, trace, () -> evaluator.evaluate(a)));
        } catch (Exception e) {
            // sha256 mismatch, corrupt npz, unknown model or data set, or an engine failure: not evaluable as announced
            String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            LOG.warnf("checkpoint %s of job %s epoch %d rejected: %s", a.objectKey(), a.jobId(), a.epoch(), reason);
            store.storeRejected(a, reason);
            deadLetters.send(record, reason);
            outcome("rejected");
            return;
        }
        Optional<EvalResultEntity> stored = store.storeEvaluated(a, evaluation.result(), evaluation.examples(),
                evaluation.card().toJson());
        if (stored.isEmpty()) {
            outcome("duplicate"); // another instance stored it first and publishes it
            return;
        }
        publish(stored.get(), trace);
        outcome("evaluated");
    }

    private void publish(EvalResultEntity row, Context trace) {
        results.sendMessageAndAwait(Tracing.under(trace, Message.of(row.resultJson.getBytes(StandardCharsets.UTF_8)))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(Topics.key(row.jobId)).build()));
        store.markPublished(row.id);
        metrics.published(row.jobId, row.robustWorst);
        LOG.infof("published the evaluation of job %s epoch %d (robust %s avg %.4f worst %.4f)", row.jobId, row.epoch,
                row.attack, row.robustAverage, row.robustWorst);
    }

    private void outcome(String outcome) {
        registry.counter("ham.eval.checkpoints", "outcome", outcome).increment();
    }
}
