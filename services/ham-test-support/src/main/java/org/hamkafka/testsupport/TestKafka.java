package org.hamkafka.testsupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** Plain Kafka clients on the test broker: produce a record, collect the records that match. */
public final class TestKafka {
    private TestKafka() {
    }

    public static void produce(String bootstrap, String topic, String key, byte[] value) throws Exception {
        produce(bootstrap, topic, key, value, null);
    }

    /** With the record's timestamp (ms since the epoch) set, e.g. to look like a request produced long ago. */
    public static void produce(String bootstrap, String topic, String key, byte[] value, Long timestamp)
            throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, null, timestamp, key, value)).get();
        }
    }

    /**
     * Reads {@code topic} from the beginning until {@code count} records match (or the timeout), then
     * goes on reading for {@code settle} to catch any extra match.
     */
    public static List<ConsumerRecord<String, byte[]>> await(String bootstrap, String topic,
                                                      Predicate<ConsumerRecord<String, byte[]>> match, int count,
                                                      Duration timeout, Duration settle) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        found.add(r);
                    }
                }
                if (found.size() >= count && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return found;
    }
}
