package org.hamkafka.local;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.hamkafka.contracts.Topics;
import org.hamkafka.infra.EmbeddedPostgres;
import org.hamkafka.infra.LocalInfra;

/**
 * The stack's Kafka, S3 and PostgreSQL in this JVM: starts them, provisions what the services expect (the
 * topics, the services' databases; the bucket is LocalInfra's), says how the services reach them, closes them.
 */
final class StackInfra {
    /** Attack requests and results carry image tensors: allow records well above Kafka's 1 MB default. */
    static final String MAX_MESSAGE_BYTES = String.valueOf(16 * 1024 * 1024);
    private static final List<Runnable> PENDING_KAFKA_HOOKS = new CopyOnWriteArrayList<>();

    private final LocalInfra infra;
    /** Clean-ups the embedded Kafka asked to run at JVM exit (deleting its temporary log folder). */
    private final List<Runnable> kafkaExitHooks = new ArrayList<>();

    private StackInfra(LocalInfra infra) {
        this.infra = infra;
    }

    /** Kafka's exit procedures tamed, free ports chosen; nothing started yet. */
    static StackInfra create(PrintStream log) {
        tameKafkaExit(log);
        return new StackInfra(LocalInfra.onFreePorts());
    }

    /** Starts the servers. */
    void start() {
        int hooksBefore = PENDING_KAFKA_HOOKS.size();
        try {
            infra.start();
        } finally {
            kafkaExitHooks.addAll(PENDING_KAFKA_HOOKS.subList(hooksBefore, PENDING_KAFKA_HOOKS.size()));
        }
    }

    /** The topics and the services' databases. */
    void provision(int attackPartitions) {
        createTopics(attackPartitions);
        createDatabases(infra.postgres());
    }

    LocalInfra infra() {
        return infra;
    }

    /** Kafka's, S3's and PostgreSQL's ports. */
    List<Integer> ports() {
        return List.of(Ports.portOf(infra.kafka().bootstrapServers()), infra.s3().port(), infra.postgres().port());
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + infra.postgres().port() + "/" + database;
    }

    /** How every service reaches Kafka and S3. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        env.put("HAM_S3_ENDPOINT", infra.s3().endpoint());
        env.put("HAM_S3_ACCESS_KEY", infra.s3().accessKey());
        env.put("HAM_S3_SECRET_KEY", infra.s3().secretKey());
        env.put("HAM_S3_BUCKET", infra.bucket());
        return env;
    }

    /** How a service with a database reaches it. */
    Map<String, String> datasourceEnv(String database) {
        return Map.of("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(database),
                "QUARKUS_DATASOURCE_USERNAME", infra.postgres().username(),
                "QUARKUS_DATASOURCE_PASSWORD", infra.postgres().password());
    }

    private void createTopics(int attackPartitions) {
        Map<String, String> large = Map.of("max.message.bytes", MAX_MESSAGE_BYTES);
        List<NewTopic> topics = new ArrayList<>();
        for (String t : Topics.ALL) {
            int partitions = t.equals(Topics.ATTACK_REQUESTS) ? attackPartitions : 1;
            NewTopic nt = new NewTopic(t, partitions, (short) 1);
            topics.add(t.startsWith("ham.attack.") ? nt.configs(large) : nt);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                infra.kafka().bootstrapServers()))) {
            for (var e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The services' databases, created by (and owned by) the services' role. */
    private static void createDatabases(EmbeddedPostgres pg) {
        String admin = "jdbc:postgresql://localhost:" + pg.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, pg.username(), pg.password());
             Statement s = c.createStatement()) {
            for (String db : List.of(StackSettings.TRAINER_DB, StackSettings.EVAL_DB)) {
                try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
                    if (r.next()) {
                        continue;
                    }
                }
                s.execute("CREATE DATABASE " + db);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the databases " + StackSettings.TRAINER_DB + ", "
                    + StackSettings.EVAL_DB + ": " + e.getMessage(), e);
        }
    }

    /**
     * Kafka's code may register JVM shutdown hooks (through its {@code Exit}) and halts the JVM when its log
     * dirs fail ("all log dirs have failed") - which would come before our own hook has stopped the services,
     * left running after Ctrl-C. So such hooks are collected and run by {@link #close()} after the broker is
     * closed, and a halt request from Kafka is reported instead of obeyed.
     */
    private static synchronized void tameKafkaExit(PrintStream log) {
        Exit.setShutdownHookAdder((name, hook) -> PENDING_KAFKA_HOOKS.add(hook));
        Exit.Procedure report = (code, message) -> log.println("the embedded Kafka asked to end the JVM (code " + code
                + (message == null ? "" : ": " + message) + "); not obeyed, so the services are still stopped cleanly");
        Exit.setHaltProcedure(report);
        Exit.setExitProcedure(report);
    }

    /** Closes PostgreSQL, S3 and Kafka, then runs Kafka's exit clean-ups. Returns what failed. */
    List<String> close(PrintStream log) {
        List<String> problems = new ArrayList<>();
        try {
            infra.close();
            log.println("  Kafka, S3 and PostgreSQL stopped");
        } catch (RuntimeException e) {
            problems.add("infrastructure: " + e.getMessage());
        }
        for (Runnable hook : kafkaExitHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                problems.add("Kafka clean-up: " + e.getMessage());
            }
            PENDING_KAFKA_HOOKS.remove(hook);
        }
        return problems;
    }
}
