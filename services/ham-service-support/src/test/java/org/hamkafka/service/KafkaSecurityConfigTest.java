package org.hamkafka.service;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared configuration turns the deployment's KAFKA_* variables into the Kafka client settings every channel
 * gets ({@code kafka.*}), and leaves Kafka's own defaults (plaintext, no SASL) when they are not given.
 */
class KafkaSecurityConfigTest {

    static SmallRyeConfig config(Map<String, String> environment) throws IOException {
        URL shared = KafkaSecurityConfigTest.class.getResource("/META-INF/microprofile-config.properties");
        return new SmallRyeConfigBuilder().addDefaultInterceptors() // expressions are expanded, as in Quarkus
                .withSources(new PropertiesConfigSource(shared, 100))
                .withSources(new PropertiesConfigSource(environment, "environment", 300))
                .build();
    }

    @Test
    void theKubernetesVariablesBecomeTheClientsSaslSslSettings() throws IOException {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"ham-attack\" "
                + "password=\"p\";";
        SmallRyeConfig c = config(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", jaas, "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/ham/kafka-ca/ca.crt"));
        assertEquals("SASL_SSL", c.getValue("kafka.security.protocol", String.class));
        assertEquals("SCRAM-SHA-512", c.getValue("kafka.sasl.mechanism", String.class));
        assertEquals(jaas, c.getValue("kafka.sasl.jaas.config", String.class));
        assertEquals("PEM", c.getValue("kafka.ssl.truststore.type", String.class));
        assertEquals("/etc/ham/kafka-ca/ca.crt", c.getValue("kafka.ssl.truststore.location", String.class));
    }

    @Test
    void withoutThemTheClientsKeepKafkasDefaults() throws IOException {
        SmallRyeConfig c = config(Map.of());
        assertEquals("PLAINTEXT", c.getValue("kafka.security.protocol", String.class));
        assertEquals("GSSAPI", c.getValue("kafka.sasl.mechanism", String.class));
        assertTrue(c.getOptionalValue("kafka.sasl.jaas.config", String.class).isEmpty(), "no JAAS config at all");
        assertTrue(c.getOptionalValue("kafka.ssl.truststore.location", String.class).isEmpty());
    }
}
