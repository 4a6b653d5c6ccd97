package org.hamkafka.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.ContractException;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.ShardStats;
import org.hamkafka.contracts.Topics;

/**
 * Reads, with a real Kafka consumer on its own thread, what the system publishes about jobs: evaluations
 * on {@code ham.eval.results} and the attack workers' cost figures on {@code ham.attack.results}. It reads
 * every partition from the beginning (no consumer group, nothing committed), so it misses nothing that
 * was published before it started.
 */
public final class SystemTopics implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final List<EvalResult> evalResults = new ArrayList<>();
    /** Per job, per "step/shard": the stats of the first successful result (resent requests are answered twice). */
    private final Map<String, Map<String, ShardStats>> shardStats = new HashMap<>();
    private final List<String> unreadable = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean running = true;

    public SystemTopics(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, StackInfra.MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, StackInfra.MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ham-local-stack");
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.EVAL_RESULTS, Topics.ATTACK_RESULTS)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::loop, "ham-local-stack-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(Topics.EVAL_RESULTS)) {
                        onEvalResult(r);
                    } else {
                        onAttackResult(r);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            failure.set(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void onEvalResult(ConsumerRecord<String, byte[]> r) {
        try {
            EvalResult result = Codec.fromBytes(r.value(), EvalResult.class);
            synchronized (this) {
                evalResults.add(result);
                notifyAll();
            }
        } catch (ContractException | IllegalArgumentException e) {
            synchronized (this) {
                unreadable.add(Topics.EVAL_RESULTS + " offset " + r.offset() + ": " + e.getMessage());
            }
        }
    }

    /**
     * The job id, shard position, error and stats of a result (version 2 envelopes and version 1 JSON alike; an
     * envelope's tensors are raw bytes, so decoding them all costs little more than copying them).
     */
    private void onAttackResult(ConsumerRecord<String, byte[]> r) {
        try {
            AttackResult result = Codec.fromBytes(r.value(), AttackResult.class);
            if (result.failed()) {
                return;
            }
            String where = result.step() + "/" + result.shardIndex();
            synchronized (this) {
                shardStats.computeIfAbsent(result.jobId(), j -> new HashMap<>()).putIfAbsent(where, result.stats());
            }
        } catch (ContractException | IllegalArgumentException e) {
            synchronized (this) {
                unreadable.add(Topics.ATTACK_RESULTS + " offset " + r.offset() + ": " + e.getMessage());
            }
        }
    }

    /** Waits for the first evaluation of {@code jobId} that {@code wanted} accepts. */
    public synchronized EvalResult awaitEval(String jobId, Predicate<EvalResult> wanted, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<EvalResult> hit = evalResults.stream()
                    .filter(e -> e.jobId().equals(jobId) && wanted.test(e)).findFirst();
            if (hit.isPresent()) {
                return hit.get();
            }
            RuntimeException f = failure.get();
            if (f != null) {
                throw new IllegalStateException("the consumer of " + Topics.EVAL_RESULTS + " failed: " + f.getMessage(), f);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no evaluation of job " + jobId + " on " + Topics.EVAL_RESULTS + " after "
                        + timeout.toSeconds() + " s");
            }
            wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
        }
    }

    /** Evaluations of a job seen so far, in topic order. */
    public synchronized List<EvalResult> evalResults(String jobId) {
        return evalResults.stream().filter(e -> e.jobId().equals(jobId)).toList();
    }

    /** The attack cost of a job so far, summed over its shards (each shard counted once). */
    public synchronized AttackCost attackCost(String jobId) {
        return AttackCost.sum(shardStats.getOrDefault(jobId, Map.of()).values());
    }

    /** Records that could not be read (they are skipped). */
    public synchronized List<String> unreadable() {
        return List.copyOf(unreadable);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

    /**
     * Attack cost: examples attacked, examples HAM dropped early, and passes counted in example-rows
     * (a forward pass over 64 rows counts 64).
     */
    public record AttackCost(int shards, long examplesIn, long examplesKept, long forwardRows, long backwardRows,
                             double workerMillis) {
        static AttackCost sum(java.util.Collection<ShardStats> stats) {
            long in = 0;
            long kept = 0;
            long fwd = 0;
            long bwd = 0;
            double ms = 0;
            for (ShardStats s : stats) {
                in += s.examplesIn();
                kept += s.examplesKept();
                fwd += s.forwardRows();
                bwd += s.backwardRows();
                ms += s.millis();
            }
            return new AttackCost(stats.size(), in, kept, fwd, bwd, ms);
        }

        public long dropped() {
            return examplesIn - examplesKept;
        }

        /** Backward passes per attacked example: K for PGD-K, less for HAM's early drop. */
        public double backwardPassesPerExample() {
            return examplesIn == 0 ? 0 : (double) backwardRows / examplesIn;
        }
    }
}
