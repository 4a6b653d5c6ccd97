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
 * A bad announcement is logged, counted and parked on {@code ham.models.dlq} as a {@code DeadLetter} with the
 * reason (once per worker: every worker reads it); its version's requests then go to the requests' dead-letter
 * topic with "no ModelSnapshot announced" as the reason.
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
            LOG.warnf("malformed ModelSnapshot %s-%d@%d to the dead-letter topic: %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            deadLetters.send(record, e.getMessage());
        }
    }
}
