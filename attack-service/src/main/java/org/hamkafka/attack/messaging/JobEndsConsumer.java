package org.hamkafka.attack.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hamkafka.attack.service.SnapshotDigests;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.TrainingProgress;
import org.jboss.logging.Logger;

import java.util.Set;

/**
 * {@code ham.training.progress}, read by every worker (a group of its own per start, like ham.models): when a
 * job ends, the requests parked for it and any that still come are refused at once, and its inline snapshots
 * are freed. The trainer owns the progress records; a malformed one is logged and skipped here (this worker
 * only reads them; it is not the place to park the trainer's records).
 */
@ApplicationScoped
public class JobEndsConsumer {
    private static final Logger LOG = Logger.getLogger(JobEndsConsumer.class);
    /** The trainer's final states (JobState.isFinal). */
    static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");

    private final SnapshotDigests digests;

    public JobEndsConsumer(SnapshotDigests digests) {
        this.digests = digests;
    }

    @Incoming("training-progress")
    public void onProgress(ConsumerRecord<String, byte[]> record) {
        TrainingProgress p;
        try {
            p = Codec.fromBytes(record.value(), TrainingProgress.class);
        } catch (ContractException | IllegalArgumentException e) {
            LOG.debugf("unreadable progress record %s-%d@%d skipped: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        if (FINAL.contains(p.state())) {
            digests.ended(p.jobId(), p.state());
        }
    }
}
