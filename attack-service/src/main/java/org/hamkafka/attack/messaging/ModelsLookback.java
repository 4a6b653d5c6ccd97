package org.hamkafka.attack.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.hamkafka.attack.service.WorkerSettings;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a worker starts reading {@code ham.models}: at the announcements of the last
 * {@code ham.attack.models-lookback}, not at the topic's beginning. Small snapshots travel inside their
 * announcements, so replaying the whole retained topic would mean reading every snapshot of every recent
 * job. Older announcements are not needed: the trainer announces a version again (without its bytes)
 * when it resumes a job and before it resends a request. {@code ham.training.progress} starts at the same
 * point: a job that ended earlier has no request younger than the request budget left.
 */
@ApplicationScoped
@Identifier(ModelsLookback.NAME)
public class ModelsLookback implements KafkaConsumerRebalanceListener {
    static final String NAME = "ham-models-lookback";
    private static final Logger LOG = Logger.getLogger(ModelsLookback.class);

    private final Duration lookback;

    @Inject
    public ModelsLookback(WorkerSettings settings) {
        this(settings.modelsLookback());
    }

    public ModelsLookback(Duration lookback) {
        if (lookback.isNegative()) {
            throw new IllegalArgumentException("ham.attack.models-lookback must not be negative; got " + lookback);
        }
        this.lookback = lookback;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        seek(consumer, partitions, System.currentTimeMillis());
    }

    /** Seeks every partition to its first record at or after {@code nowMillis - lookback} (or its end). */
    public void seek(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, long nowMillis) {
        if (partitions.isEmpty()) {
            return;
        }
        long since = nowMillis - lookback.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            if (at == null) {
                consumer.seekToEnd(List.of(p)); // nothing that recent: only new announcements matter
            } else {
                consumer.seek(p, at.offset());
            }
        }
        LOG.debugf("ham.models: reading announcements since %s (lookback %s) on %s", java.time.Instant.ofEpochMilli(since),
                lookback, partitions);
    }
}
