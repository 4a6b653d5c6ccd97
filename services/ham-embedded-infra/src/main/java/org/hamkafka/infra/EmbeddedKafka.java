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
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker (KRaft, one combined broker+controller node) inside this JVM, on a
 * random free port of 127.0.0.1/localhost. Ready in a few seconds; its data lives in a temporary
 * directory deleted on {@link #close()}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private KafkaClusterTestKit cluster;

    /** Formats the log directory, starts the node and waits until the broker is ready. Idempotent. */
    public synchronized EmbeddedKafka start() {
        if (cluster != null) {
            return this;
        }
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    // a single broker: internal topics cannot have more replicas than that
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "1")
                    .build();
            try {
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
            } catch (Exception e) {
                kit.close();
                throw e;
            }
            cluster = kit;
            return this;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the embedded Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka broker failed to start: " + e.getMessage(), e);
        }
    }

    /** {@code host:port} of the broker's client listener, for {@code bootstrap.servers}. */
    public synchronized String bootstrapServers() {
        return running().bootstrapServers();
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
        return cluster != null;
    }

    private KafkaClusterTestKit running() {
        if (cluster == null) {
            throw new IllegalStateException("embedded Kafka is not started; call start() first");
        }
        return cluster;
    }

    /** Stops the node and deletes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka broker failed to stop cleanly: " + e.getMessage(), e);
        } finally {
            cluster = null;
        }
    }
}
