package org.hamkafka.attack.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hamkafka.attack.service.SnapshotDigests;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.ModelSnapshot;
import org.jboss.logging.Logger;

/**
 * {@code ham.models}: every worker reads every announcement (its own consumer group, from the
 * earliest offset), because the announcement names the sha256 that attack requests do not carry
 * (and, for small models, carries the snapshot's bytes).
 * A bad announcement is logged and counted: its version's requests then go to the dead-letter topic
 * with "no ModelSnapshot announced" as the reason.
 */
@ApplicationScoped
public class ModelSnapshotConsumer {
    private static final Logger LOG = Logger.getLogger(ModelSnapshotConsumer.class);
    private final SnapshotDigests digests;
    private final MeterRegistry registry;

    public ModelSnapshotConsumer(SnapshotDigests digests, MeterRegistry registry) {
        this.digests = digests;
        this.registry = registry;
    }

    @Incoming("models")
    public void onSnapshot(byte[] payload) {
        try {
            ModelSnapshot s = Codec.fromBytes(payload, ModelSnapshot.class);
            digests.announce(s.jobId(), s.version(), s.objectKey(), s.sha256(), s.npz());
            registry.counter("ham.attack.snapshots.announced", "result", "ok").increment();
        } catch (ContractException | IllegalArgumentException e) {
            registry.counter("ham.attack.snapshots.announced", "result", "malformed").increment();
            LOG.warnf("ignoring a malformed ModelSnapshot on ham.models: %s", e.getMessage());
        }
    }
}
