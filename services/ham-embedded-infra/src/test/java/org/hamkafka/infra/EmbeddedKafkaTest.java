package org.hamkafka.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafka().start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void createsTopicsWithTheRequestedPartitions() throws Exception {
        kafka.createTopics(Map.of("t.four", 4, "t.one", 1));
        kafka.createTopics(Map.of("t.four", 4)); // again: no error
        assertTrue(kafka.topics().containsAll(List.of("t.four", "t.one")), kafka.topics().toString());
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            assertEquals(4, admin.describeTopics(List.of("t.four")).allTopicNames().get()
                    .get("t.four").partitions().size());
        }
        assertThrows(IllegalArgumentException.class, () -> kafka.createTopics(Map.of("t.zero", 0)));
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        String[] hostPort = kafka.bootstrapServers().split(":");
        assertEquals("127.0.0.1", hostPort[0]);
        int port = Integer.parseInt(hostPort[1]);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            assertTrue(s.isConnected());
        }
        // every address of this machine that is not loopback: nothing answers there
        List<java.net.InetAddress> others = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
                .stream().flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).toList();
        org.junit.jupiter.api.Assumptions.assumeFalse(others.isEmpty(), "this machine has no other address to try");
        for (java.net.InetAddress a : others) {
            try (java.net.Socket s = new java.net.Socket()) {
                assertThrows(java.io.IOException.class, () -> s.connect(new java.net.InetSocketAddress(a, port), 2000),
                        "the broker must not answer on " + a);
            }
        }
    }

    @Test
    void producesAndConsumesThroughTheBroker() throws Exception {
        kafka.createTopics(Map.of("t.roundtrip", 2));
        byte[] big = new byte[400_000]; // the size of a large attack message
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Properties pp = kafka.clientProperties();
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        RecordMetadata meta;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp)) {
            meta = producer.send(new ProducerRecord<>("t.roundtrip", "job-1", big)).get();
            producer.send(new ProducerRecord<>("t.roundtrip", "job-1", new byte[]{1, 2, 3})).get();
        }
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "test-group");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of("t.roundtrip"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertEquals(2, got.size());
        // same key -> same partition, in order
        assertEquals(meta.partition(), got.get(0).partition());
        assertEquals(got.get(0).partition(), got.get(1).partition());
        assertEquals("job-1", got.get(0).key());
        assertTrue(java.util.Arrays.equals(big, got.get(0).value()));
        assertEquals(3, got.get(1).value().length);
    }
}
