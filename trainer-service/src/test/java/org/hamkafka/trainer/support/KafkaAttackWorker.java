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
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.service.ObjectStore;
import org.apache.kafka.common.TopicPartition;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@link AttackHalf}, produces {@code ham.attack.results}. Like the attack-service it takes a snapshot's
 * bytes from its {@code ham.models} announcement when they came inline, and from S3 otherwise. Can hold
 * back the requests of one step (to stop a job at a known point) and records the partitions, keys and
 * announcements it saw.
 */
public final class KafkaAttackWorker implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaConsumer<String, byte[]> models;
    private final Function<String, byte[]> s3;
    /** Latest announcement per object key. */
    private final Map<String, ModelSnapshot> announced = new ConcurrentHashMap<>();
    public final List<ModelSnapshot> announcements = new CopyOnWriteArrayList<>();
    public final AtomicInteger servedInline = new AtomicInteger();
    public final AtomicInteger servedFromS3 = new AtomicInteger();
    private final KafkaProducer<String, byte[]> producer;
    private final AttackHalf half;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long holdStep = -1;
    private volatile String holdJob;
    private volatile CountDownLatch release = new CountDownLatch(0);
    public final Set<Integer> partitionsSeen = ConcurrentHashMap.newKeySet();
    public final Set<String> keysSeen = ConcurrentHashMap.newKeySet();
    /** The schema version of every request read, and whether its bytes were a binary envelope (magic first). */
    public final Set<String> formsSeen = ConcurrentHashMap.newKeySet();
    public final AtomicInteger answered = new AtomicInteger();
    /** Per job, the attack passes the worker reported back: {forward rows, backward rows}. */
    public final Map<String, long[]> attackRows = new ConcurrentHashMap<>();
    /** When set, the first request of every shard is answered with a failure (its resends are attacked). */
    public volatile boolean refuseFirstAttempts;

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
        s3 = snapshots;
        half = new AttackHalf(this::snapshotBytes);
        consumer.subscribe(List.of(Topics.ATTACK_REQUESTS));
        Properties m = new Properties();
        m.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        m.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        models = new KafkaConsumer<>(m, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = models.partitionsFor(Topics.MODELS, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        models.assign(parts);
        models.seekToBeginning(parts);
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
                formsSeen.add("v" + req.schemaVersion() + (r.value()[0] == (byte) 0x89 ? " envelope" : " json"));
                if (req.step() == holdStep && req.jobId().equals(holdJob)) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                AttackResult res;
                try {
                    if (refuseFirstAttempts && r.key().equals(Topics.attackRequestKey(req.jobId(), req.step(), req.shardIndex()))) {
                        throw new IllegalStateException("test worker: first attempts of this job are refused");
                    }
                    awaitAnnouncement(req.modelKey());
                    res = half.attack(req);
                } catch (RuntimeException e) {
                    // a worker reports what went wrong; the trainer resends or fails the job with it
                    res = AttackResult.failure(req, "test-worker", e.toString());
                }
                long[] rows = attackRows.computeIfAbsent(req.jobId(), j -> new long[2]);
                rows[0] += res.stats().forwardRows();
                rows[1] += res.stats().backwardRows();
                producer.send(new ProducerRecord<>(Topics.ATTACK_RESULTS, Topics.key(req.jobId()), Codec.toBytes(res)));
                answered.incrementAndGet();
            }
            consumer.commitSync();
        }
    }

    /** Reads ham.models (on the worker thread) until the request's snapshot is announced, up to 20 s. */
    private void awaitAnnouncement(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!announced.containsKey(key) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : models.poll(Duration.ofMillis(100))) {
                ModelSnapshot a = Codec.fromBytes(r.value(), ModelSnapshot.class);
                announcements.add(a);
                announced.put(a.objectKey(), a);
            }
        }
    }

    private byte[] snapshotBytes(String key) {
        ModelSnapshot a = announced.get(key);
        if (a != null && a.npz() != null) {
            if (!ObjectStore.sha256(a.npz()).equals(a.sha256())) {
                throw new IllegalStateException("inline snapshot " + key + " does not have the announced sha256");
            }
            servedInline.incrementAndGet();
            return a.npz();
        }
        servedFromS3.incrementAndGet();
        return s3.apply(key);
    }

    /** The announcements of one job seen so far, in topic order. */
    public List<ModelSnapshot> announcementsOf(String jobId) {
        return announcements.stream().filter(a -> a.jobId().equals(jobId)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        release.countDown();
        thread.join(10_000);
        consumer.close();
        models.close();
        producer.close();
        half.close();
    }
}
