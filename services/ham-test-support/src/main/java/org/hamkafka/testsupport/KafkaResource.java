package org.hamkafka.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's real Kafka broker ({@link SharedInfra#kafka()}), with
 * every HAM topic created. Use {@code @WithTestResource(KafkaResource.class)}.
 *
 * <p>Returns {@code kafka.bootstrap.servers} and switches Kafka Dev Services off.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return config();
    }

    static Map<String, String> config() {
        return Map.of(
                "kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false");
    }

    /** The broker stays up for the next test class; it is closed at JVM exit. */
    @Override
    public void stop() {
    }

    /** {@code host:port} of the shared broker (starts it if needed). */
    public static String bootstrapServers() {
        return SharedInfra.kafka().bootstrapServers();
    }

    /**
     * A SmallRye {@link KafkaCompanion} on the shared broker, for producing and consuming in tests
     * ({@code companion.produceStrings()...}, {@code companion.consumeWithDeserializers(...)}).
     * Close it when done.
     */
    public static KafkaCompanion companion() {
        return new KafkaCompanion(bootstrapServers());
    }
}
