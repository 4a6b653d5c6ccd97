package org.hamkafka.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.hamkafka.infra.EmbeddedPostgres;
import org.hamkafka.infra.EmbeddedS3;

import java.util.HashMap;
import java.util.Map;

/** A real PostgreSQL and an S3 server (ham-embedded-infra) for the fast tests. */
public class PostgresS3Resource implements QuarkusTestResourceLifecycleManager {
    private EmbeddedPostgres pg;
    private EmbeddedS3 s3;
    private static volatile EmbeddedS3 current;

    public static EmbeddedS3 s3() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        pg = new EmbeddedPostgres(0, "ham_trainer").start();
        s3 = EmbeddedS3.inMemory().start();
        s3.createBucket("ham");
        current = s3;
        Map<String, String> m = new HashMap<>();
        m.put("quarkus.datasource.jdbc.url", pg.jdbcUrl());
        m.put("quarkus.datasource.username", pg.username());
        m.put("quarkus.datasource.password", pg.password());
        m.put("ham.s3.endpoint", s3.endpoint());
        m.put("ham.s3.access-key", s3.accessKey());
        m.put("ham.s3.secret-key", s3.secretKey());
        m.put("ham.s3.bucket", "ham");
        return m;
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (pg != null) {
            pg.close();
        }
    }
}
