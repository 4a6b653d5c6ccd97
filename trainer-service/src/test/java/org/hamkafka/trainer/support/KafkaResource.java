package org.hamkafka.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.hamkafka.contracts.Topics;
import org.hamkafka.infra.EmbeddedKafka;

import java.util.HashMap;
import java.util.Map;

/** A real Kafka broker (KRaft, in this JVM) with the HAM topics; attack requests on 4 partitions. */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {
    private static volatile EmbeddedKafka kafka;

    public static EmbeddedKafka kafka() {
        return kafka;
    }

    @Override
    public Map<String, String> start() {
        kafka = new EmbeddedKafka().start();
        Map<String, Integer> topics = new HashMap<>();
        for (String t : Topics.ALL) {
            topics.put(t, 1);
        }
        topics.put(Topics.ATTACK_REQUESTS, 4);
        kafka.createTopics(topics);
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
