package org.hamkafka.testsupport;

import java.util.Map;
import org.hamkafka.contracts.Topics;
import org.hamkafka.infra.EmbeddedKafka;
import org.hamkafka.infra.EmbeddedPostgres;
import org.hamkafka.infra.EmbeddedS3;

/**
 * One Kafka broker, one S3 server and one PostgreSQL server per JVM, each started on first use and
 * closed when the JVM exits, so that every test class of a suite reuses them (starting Kafka takes
 * seconds; Quarkus restarts the application, not these). Kafka simply ends with the JVM (its
 * temporary log directory is removed then); S3 and PostgreSQL are closed by shutdown hooks. Tests must therefore use their own job ids,
 * consumer groups and object keys rather than rely on empty topics or buckets.
 */
public final class SharedInfra {
    /** Partitions of {@link Topics#ATTACK_REQUESTS}, so several attack workers can share the work. */
    public static final int ATTACK_REQUEST_PARTITIONS = 4;

    private static EmbeddedKafka kafka;
    private static EmbeddedS3 s3;
    private static EmbeddedPostgres postgres;

    private SharedInfra() {
    }

    /** The JVM's Kafka broker, with every HAM topic created. */
    public static synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            EmbeddedKafka k = new EmbeddedKafka().start();
            closeOnExit(k, "kafka"); // stops the broker, then deletes its log directory
            java.util.Map<String, Integer> partitions = new java.util.HashMap<>();
            for (String topic : Topics.ALL) {
                partitions.put(topic, 1);
            }
            partitions.put(Topics.ATTACK_REQUESTS, ATTACK_REQUEST_PARTITIONS);
            k.createTopics(Map.copyOf(partitions));
            kafka = k;
        }
        return kafka;
    }

    /** The JVM's S3 server (objects in memory). */
    public static synchronized EmbeddedS3 s3() {
        if (s3 == null) {
            EmbeddedS3 s = EmbeddedS3.inMemory().start();
            closeOnExit(s, "s3");
            s3 = s;
        }
        return s3;
    }

    /** The JVM's PostgreSQL server. */
    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            EmbeddedPostgres p = new EmbeddedPostgres().start();
            closeOnExit(p, "postgres");
            postgres = p;
        }
        return postgres;
    }

    private static void closeOnExit(AutoCloseable resource, String name) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("closing embedded " + name + " at JVM exit failed: " + e);
            }
        }, "ham-embedded-" + name + "-shutdown"));
    }
}
