package org.hamkafka.attack.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hamkafka.attack.service.SnapshotDigests;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.service.DeadLetters;
import org.jboss.logging.Logger;

/**
 * {@code ham.models}: every worker reads every announcement (its own consumer group, from the
 * earliest offset), because the announcement names the sha256 that attack requests do not carry
 * (and, for small models, carries the snapshot's bytes).
 * A bad announcement is counted and skipped here; {@link #audit} parks it on {@code ham.models.dlq} as a
 * {@code DeadLetter} with the reason, once for all workers: the audit channel reads ham.models in one group that
 * every worker shares, so each record reaches one of them (at least once: a worker that dies between parking and
 * committing leaves its successor to park it again). Its version's requests then go to the requests'
 * dead-letter topic with "no ModelSnapshot announced" as the reason.
 */
@ApplicationScoped
public class ModelSnapshotConsumer {
    private static final Logger LOG = Logger.getLogger(ModelSnapshotConsumer.class);
    private final SnapshotDigests digests;
    private final MeterRegistry registry;
    private final DeadLetters deadLetters;

    public ModelSnapshotConsumer(SnapshotDigests digests, MeterRegistry registry,
                                 @Channel("models-dlq") MutinyEmitter<byte[]> deadLetterChannel) {
        this.digests = digests;
        this.registry = registry;
        this.deadLetters = new DeadLetters(deadLetterChannel);
    }

    @Incoming("models")
    public void onSnapshot(ConsumerRecord<String, byte[]> record) {
        try {
            ModelSnapshot s = Codec.fromBytes(record.value(), ModelSnapshot.class);
            digests.announce(s.jobId(), s.version(), s.objectKey(), s.sha256(), s.npz());
            registry.counter("ham.attack.snapshots.announced", "result", "ok").increment();
        } catch (ContractException | IllegalArgumentException e) {
            registry.counter("ham.attack.snapshots.announced", "result", "malformed").increment();
            LOG.debugf("malformed ModelSnapshot %s-%d@%d skipped (the audit parks it): %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
        }
    }

    /** One worker's share of ham.models: what does not decode, or breaks an invariant, goes to the dead-letter topic. */
    @Incoming("models-audit")
    public void audit(ConsumerRecord<String, byte[]> record) {
        try {
            Codec.fromBytes(record.value(), ModelSnapshot.class); // decoding checks the record's invariants too
        } catch (ContractException | IllegalArgumentException e) {
            LOG.warnf("malformed ModelSnapshot %s-%d@%d to the dead-letter topic: %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            deadLetters.send(record, e.getMessage());
        }
    }
}
