package org.hamkafka.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.hamkafka.infra.EmbeddedPostgres;

/**
 * Points a {@code @QuarkusTest} at the JVM's PostgreSQL server ({@link SharedInfra#postgres()}).
 * Returns {@code quarkus.datasource.jdbc.url}, {@code .username}, {@code .password} and switches the
 * datasource Dev Services off. The service sets {@code quarkus.datasource.db-kind=postgresql} itself.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return config();
    }

    static Map<String, String> config() {
        EmbeddedPostgres pg = SharedInfra.postgres();
        return Map.of(
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", pg.username(),
                "quarkus.datasource.password", pg.password(),
                "quarkus.datasource.devservices.enabled", "false");
    }

    /** The server stays up for the next test class; it is closed at JVM exit. */
    @Override
    public void stop() {
    }
}
