package org.hamkafka.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Kafka, S3 and PostgreSQL for one {@code @QuarkusTest}: the union of {@link KafkaResource},
 * {@link S3Resource} and {@link PostgresResource} (same init args as {@link S3Resource}).
 */
public class AllInfraResource implements QuarkusTestResourceLifecycleManager {
    private String bucket = S3Resource.DEFAULT_BUCKET;
    private boolean quarkusMinio;

    @Override
    public void init(Map<String, String> initArgs) {
        bucket = initArgs.getOrDefault("bucket", S3Resource.DEFAULT_BUCKET);
        quarkusMinio = Boolean.parseBoolean(initArgs.getOrDefault("quarkus-minio", "false"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(KafkaResource.config());
        config.putAll(S3Resource.config(bucket, quarkusMinio));
        config.putAll(PostgresResource.config());
        return config;
    }

    /** The servers stay up for the next test class; they are closed at JVM exit. */
    @Override
    public void stop() {
    }
}
