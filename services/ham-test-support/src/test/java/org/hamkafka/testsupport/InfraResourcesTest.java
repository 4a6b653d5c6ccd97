package org.hamkafka.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamkafka.contracts.Topics;
import org.junit.jupiter.api.Test;

/** Calls the lifecycle managers as Quarkus does and checks that what they return reaches real servers. */
class InfraResourcesTest {

    @Test
    void allInfraConfigReachesKafkaS3AndPostgres() throws Exception {
        AllInfraResource resource = new AllInfraResource();
        resource.init(Map.of());
        Map<String, String> config = resource.start();
        assertEquals("false", config.get("quarkus.kafka.devservices.enabled"));
        assertEquals("false", config.get("quarkus.datasource.devservices.enabled"));
        assertEquals("ham", config.get("ham.s3.bucket"));
        assertFalse(config.containsKey("quarkus.minio.url"), "quarkus.minio.* only on request");

        // Kafka: every HAM topic exists, attack requests with several partitions; a record round-trips
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", config.get("kafka.bootstrap.servers")))) {
            assertTrue(admin.listTopics().names().get().containsAll(Topics.ALL));
            assertEquals(SharedInfra.ATTACK_REQUEST_PARTITIONS, admin.describeTopics(List.of(Topics.ATTACK_REQUESTS))
                    .allTopicNames().get().get(Topics.ATTACK_REQUESTS).partitions().size());
        }
        try (KafkaCompanion companion = KafkaResource.companion()) {
            companion.produceStrings()
                    .fromRecords(new ProducerRecord<>(Topics.TRAINING_PROGRESS, "job-t", "{\"hello\":1}"))
                    .awaitCompletion(Duration.ofSeconds(30));
            List<ConsumerRecord<String, String>> got = companion.consumeStrings()
                    .fromTopics(Topics.TRAINING_PROGRESS, 1).awaitCompletion(Duration.ofSeconds(30)).getRecords();
            assertEquals("job-t", got.get(0).key());
            assertEquals("{\"hello\":1}", got.get(0).value());
        }

        // S3: the bucket exists and the credentials work
        try (MinioClient s3 = MinioClient.builder().endpoint(config.get("ham.s3.endpoint")).region("us-east-1")
                .credentials(config.get("ham.s3.access-key"), config.get("ham.s3.secret-key")).build()) {
            assertTrue(s3.bucketExists(BucketExistsArgs.builder().bucket("ham").build()));
        }

        // PostgreSQL: the datasource settings connect
        try (Connection c = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
             ResultSet r = c.createStatement().executeQuery("select 1")) {
            assertTrue(r.next());
            assertEquals(1, r.getInt(1));
        }
        resource.stop();
    }

    @Test
    void serversAreSharedAcrossTestClasses() {
        Map<String, String> first = new KafkaResource().start();
        S3Resource s3 = new S3Resource();
        s3.init(Map.of("bucket", "other", "quarkus-minio", "true"));
        Map<String, String> s3Config = s3.start();
        Map<String, String> pg = new PostgresResource().start();
        // "stop" after a test class, then "start" for the next one: same servers, same addresses
        new KafkaResource().stop();
        assertEquals(first.get("kafka.bootstrap.servers"), new KafkaResource().start().get("kafka.bootstrap.servers"));
        assertEquals(pg.get("quarkus.datasource.jdbc.url"), new PostgresResource().start().get("quarkus.datasource.jdbc.url"));
        assertSame(SharedInfra.kafka(), SharedInfra.kafka());
        assertEquals("other", s3Config.get("ham.s3.bucket"));
        assertEquals(s3Config.get("ham.s3.endpoint"), s3Config.get("quarkus.minio.url"));
        assertEquals("false", s3Config.get("quarkus.minio.devservices.enabled"));
    }
}
