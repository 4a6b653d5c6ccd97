package org.hamkafka.trainer.support;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.Topics;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in attack worker on a real broker: consumes {@code ham.attack.requests}, runs
 * {@link AttackHalf}, produces {@code ham.attack.results}. Can hold back the requests of one step
 * (to stop a job at a known point) and records the partitions and keys it saw.
 */
public final class KafkaAttackWorker implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final AttackHalf half;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long holdStep = -1;
    private volatile String holdJob;
    private volatile CountDownLatch release = new CountDownLatch(0);
    public final Set<Integer> partitionsSeen = ConcurrentHashMap.newKeySet();
    public final Set<String> keysSeen = ConcurrentHashMap.newKeySet();
    public final AtomicInteger answered = new AtomicInteger();

    public KafkaAttackWorker(String bootstrap, Function<String, byte[]> snapshots) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-attack-workers");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        half = new AttackHalf(snapshots);
        consumer.subscribe(List.of(Topics.ATTACK_REQUESTS));
        thread = new Thread(this::loop, "test-attack-worker");
        thread.setDaemon(true);
        thread.start();
    }

    /** Requests of this job's step wait until {@link #release()}. */
    public void holdStep(String jobId, long step) {
        release = new CountDownLatch(1);
        holdJob = jobId;
        holdStep = step;
    }

    public void release() {
        holdStep = -1;
        release.countDown();
    }

    private void loop() {
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                AttackRequest req = Codec.fromBytes(r.value(), AttackRequest.class);
                partitionsSeen.add(r.partition());
                keysSeen.add(r.key());
                if (req.step() == holdStep && req.jobId().equals(holdJob)) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                AttackResult res;
                try {
                    res = half.attack(req);
                } catch (RuntimeException e) {
                    // a worker reports what went wrong; the trainer resends or fails the job with it
                    res = AttackResult.failure(req, "test-worker", e.toString());
                }
                producer.send(new ProducerRecord<>(Topics.ATTACK_RESULTS, Topics.key(req.jobId()), Codec.toBytes(res)));
                answered.incrementAndGet();
            }
            consumer.commitSync();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        release.countDown();
        thread.join(10_000);
        consumer.close();
        producer.close();
        half.close();
    }
}
