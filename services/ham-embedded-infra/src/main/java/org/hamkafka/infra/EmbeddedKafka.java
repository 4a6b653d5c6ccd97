package org.hamkafka.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker (KRaft, one combined broker+controller node) inside this JVM, listening on
 * 127.0.0.1 only (a random free port for clients, another for the controller). Ready in a few seconds; its data
 * lives in a temporary directory deleted on {@link #close()}.
 *
 * <p>Started as Kafka's own {@code KafkaRaftServer} on storage formatted like {@code kafka-storage format}, not
 * through Kafka's test kit: the test kit binds its ports on the wildcard address, so the broker would answer on
 * every interface of the machine.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private KafkaRaftServer server;
    private Path dataDir;
    private String bootstrap;

    /** Formats the log directory, starts the node and waits until the broker is ready. Idempotent. */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            return this;
        }
        guardJvmExitDuringShutdown();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) { // a port found free may be taken before the broker binds it
            try {
                startOnce();
                return this;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the embedded Kafka broker", e);
            } catch (Exception e) {
                last = new IllegalStateException("embedded Kafka broker failed to start: " + e.getMessage(), e);
            }
        }
        throw last;
    }

    private void startOnce() throws Exception {
        int port = freeLoopbackPort();
        int controllerPort = freeLoopbackPort();
        Path dir = Files.createTempDirectory("ham-kafka-");
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + LOOPBACK + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + port + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());
        // a single broker: internal topics cannot have more replicas than that
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        KafkaRaftServer s = null;
        try {
            KafkaConfig config = new KafkaConfig(p, false);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName("CONTROLLER")
                    .run();
            s = new KafkaRaftServer(config, Time.SYSTEM);
            s.startup();
            String address = LOOPBACK + ":" + port;
            awaitReady(address);
            server = s;
            dataDir = dir;
            bootstrap = address;
        } catch (Exception e) {
            if (s != null) {
                s.shutdown();
                s.awaitShutdown();
            }
            deleteRecursively(dir);
            throw e;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        }
    }

    /** Until the broker answers a metadata request naming itself (at most 60 s). */
    private static void awaitReady(String address) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker at " + address + " did not become ready in 60 s", e);
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing a shutdown for
        }
    }

    /**
     * At JVM exit shutdown hooks run in no set order: the log directory can go while the broker still
     * runs; the broker then sees all its log dirs fail and calls Exit.halt(1), turning a clean exit (all
     * tests passed) into exit code 1. While the JVM is already shutting down, such a
     * halt or exit is ignored; at any other time it does what Kafka asked.
     */
    private static void guardJvmExitDuringShutdown() {
        Exit.setHaltProcedure((code, message) -> {
            if (!shuttingDown()) {
                Runtime.getRuntime().halt(code);
            }
        });
        Exit.setExitProcedure((code, message) -> {
            if (!shuttingDown()) {
                System.exit(code);
            }
        });
    }

    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** {@code 127.0.0.1:port} of the broker's client listener, for {@code bootstrap.servers}. */
    public synchronized String bootstrapServers() {
        if (server == null) {
            throw new IllegalStateException("embedded Kafka is not started; call start() first");
        }
        return bootstrap;
    }

    /** Properties for an {@link Admin}, producer or consumer talking to this broker. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /**
     * Creates topics with the given partition counts (replication factor 1) and waits until they
     * exist. A topic that already exists is left as it is.
     */
    public void createTopics(Map<String, Integer> partitions) {
        List<NewTopic> topics = new ArrayList<>();
        partitions.forEach((name, n) -> {
            if (n == null || n < 1) {
                throw new IllegalArgumentException("partitions of topic " + name + " must be >= 1, got " + n);
            }
            topics.add(new NewTopic(name, n, (short) 1));
        });
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + name, e);
                }
            });
        }
    }

    /** Names of the topics that exist now (internal ones excluded). */
    public Set<String> topics() {
        try (Admin admin = Admin.create(clientProperties())) {
            return admin.listTopics().names().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause(), e);
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the node and deletes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            throw new IllegalStateException("embedded Kafka broker failed to stop cleanly: " + e.getMessage(), e);
        } finally {
            server = null;
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }
}
