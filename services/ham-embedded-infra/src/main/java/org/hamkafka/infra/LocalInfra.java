package org.hamkafka.infra;

import java.util.ArrayList;
import java.util.List;

/**
 * Kafka, S3 and PostgreSQL together, for tests and for running the services on one machine
 * without Docker. Starts Kafka, then S3 (creating the bucket), then PostgreSQL; closes them in
 * reverse order.
 */
public final class LocalInfra implements AutoCloseable {
    /** Default bucket of the services ({@code ham.s3.bucket}). */
    public static final String DEFAULT_BUCKET = "ham";

    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;
    private final EmbeddedPostgres postgres;
    private final String bucket;

    private LocalInfra(EmbeddedKafka kafka, EmbeddedS3 s3, EmbeddedPostgres postgres, String bucket) {
        this.kafka = kafka;
        this.s3 = s3;
        this.postgres = postgres;
        this.bucket = bucket;
    }

    /** All three on free ports, objects in memory, bucket {@value #DEFAULT_BUCKET}. */
    public static LocalInfra onFreePorts() {
        return new LocalInfra(new EmbeddedKafka(), EmbeddedS3.inMemory(), new EmbeddedPostgres(), DEFAULT_BUCKET);
    }

    /**
     * S3 and PostgreSQL on fixed ports (0 = any free port). Kafka always takes a free port of 127.0.0.1;
     * read it from {@link #kafka()}{@code .bootstrapServers()}.
     */
    public static LocalInfra onPorts(int s3Port, int postgresPort, String bucket) {
        return new LocalInfra(new EmbeddedKafka(), EmbeddedS3.inMemory(s3Port),
                new EmbeddedPostgres(postgresPort, EmbeddedPostgres.DEFAULT_DATABASE), bucket);
    }

    /** Starts all three; if one fails, the ones already started are closed again. */
    public LocalInfra start() {
        try {
            kafka.start();
            s3.start();
            s3.createBucket(bucket);
            postgres.start();
            return this;
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public String bucket() {
        return bucket;
    }

    /** Closes PostgreSQL, S3, Kafka (reverse start order), attempting all even if one fails. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (AutoCloseable c : List.<AutoCloseable>of(postgres, s3, kafka)) {
            try {
                c.close();
            } catch (Exception e) {
                failures.add(e instanceof RuntimeException r ? r : new IllegalStateException(e));
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
