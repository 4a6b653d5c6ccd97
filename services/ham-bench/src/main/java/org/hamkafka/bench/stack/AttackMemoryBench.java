package org.hamkafka.bench.stack;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
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
import org.hamkafka.bench.BenchMath.RssSample;
import org.hamkafka.bench.BenchMath;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.contracts.Topics;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.local.DataCheck;
import org.hamkafka.local.ServiceProcess;
import org.hamkafka.local.Stack;
import org.hamkafka.local.StackOptions;
import org.hamkafka.local.StackSettings;
import org.hamkafka.mapping.ContractMapping;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Attack-service memory under a long stream of requests: starts the local stack with one attack worker,
 * puts one model snapshot in S3 (announced on ham.models), feeds N HAM attack requests of real Fashion-MNIST
 * batches directly on ham.attack.requests (a few in flight at a time), reads the results, and samples the
 * worker's resident memory ({@code /proc/<pid>/status} VmRSS) every {@code --every} results. The verdict comes
 * from the slope over the second half of the series (the first half holds allocator and JIT warm-up).
 */
@Command(name = "attack-memory", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Samples one attack-service's RSS while it serves N attack requests.")
public final class AttackMemoryBench implements Callable<Integer> {
    @Option(names = "--batches", defaultValue = "1000", description = "attack requests (default ${DEFAULT-VALUE})")
    int batches;
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin jobSettings = SettingsMixin.of("batchSize", "model")
            .defaults(p -> {
                p.batchSize = 128;
                p.model = "tiny-cnn";
            }).note("batchSize", "the rows of each attack request");
    @Option(names = "--every", defaultValue = "50", description = "RSS sample every this many results (default ${DEFAULT-VALUE})")
    int every;
    @Option(names = "--in-flight", defaultValue = "2", description = "requests outstanding at once (default ${DEFAULT-VALUE})")
    int inFlight;
    @Option(names = "--attack-threads", defaultValue = "1", description = "HAM_ATTACK_THREADS (default ${DEFAULT-VALUE})")
    int attackThreads;
    @Option(names = "--flat-limit", defaultValue = "5", description = "verdict 'flat' when |slope| <= this many MB per 100 batches (default ${DEFAULT-VALUE})")
    double flatLimit;
    @Option(names = "--service-xmx", defaultValue = "1g", description = "-Xmx of the service JVMs, so lazy heap growth "
            + "(the default max heap is a quarter of the machine's memory) is not mistaken for a leak; 'none' = JVM default "
            + "(default ${DEFAULT-VALUE})")
    String serviceXmx;
    @Mixin
    StackOptions where;
    @Option(names = "--results", defaultValue = "bench-results", description = "where attack-memory.{md,json} go (default ${DEFAULT-VALUE})")
    Path results;
    @Option(names = "--out", defaultValue = "out/attack-memory", description = "service logs (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--result-timeout", defaultValue = "PT5M", description = "longest wait for one result, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration resultTimeout;

    private final PrintStream log = System.out;
    /** The command line as given, for the result files when HAM_BENCH_COMMAND is not set. */
    private List<String> args = List.of();

    public static void main(String[] args) {
        AttackMemoryBench b = new AttackMemoryBench();
        b.args = List.of(args);
        System.exit(new CommandLine(b).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PartialConfig given = jobSettings.values();
        if (batches < 2 * every || every < 1 || given.batchSize < 1 || inFlight < 1 || attackThreads < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--batches must be >= 2 x --every (" + every
                    + ") for a slope; --every, --batch-size, --in-flight and --attack-threads must be >= 1");
        }
        Path root = where.dataRoot();
        List<String> missing = DataCheck.missingFashionMnist(root);
        if (!missing.isEmpty()) {
            System.err.println(DataCheck.howToGet(root, missing));
            return 3;
        }
        DistributedBench.routeInfraLogging(out.resolve("logs/infra.log"));
        String loadBefore = BenchMath.loadAverage();
        Path repoDir = where.repoDir();
        Dataset data = Datasets.load("fashion-mnist", root.resolve("fashion-mnist"), true);
        // HAM's attack half as the trainer sends it for Fashion-MNIST (no warm-up: every request is HAM)
        AttackSettings settings = ContractMapping.attackSettings(TrainConfig.defaults("fashion-mnist").with(p -> {
            p.method = "ham";
            p.warmupEpochs = 0;
        }));
        DatasetSpec spec = ContractMapping.datasetSpec(Datasets.info("fashion-mnist"));

        List<String> jvm = new ArrayList<>(List.of("-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true"));
        if (!serviceXmx.equals("none")) {
            jvm.add("-Xmx" + serviceXmx);
        }
        StackSettings ss = new StackSettings(repoDir, out, root, 1, 0, 0, 0, 1, "fgsm", 100, Duration.ofMinutes(5), jvm,
                Map.of("HAM_ATTACK_THREADS", String.valueOf(attackThreads)));
        List<RssSample> samples = new ArrayList<>();
        int failures = 0;
        long t0;
        double seconds;
        try (Stack stack = new Stack(ss, log)) {
            Thread hook = new Thread(stack::close, "attack-memory-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stack.start();
            metricsToken = stack.operatorToken();
            ServiceProcess worker = stack.attackWorkers().get(0);
            String job = "attack-memory-" + UUID.randomUUID();
            String key = "jobs/" + job + "/models/1.npz";
            byte[] npz;
            try (Classifier f = Classifier.create(given.model, data.info(), Device.cpu(), 0)) {
                npz = ModelWeights.exportNpz(f);
            }
            try (MinioClient s3 = stack.infra().s3().newClient()) {
                s3.putObject(PutObjectArgs.builder().bucket(stack.infra().bucket()).object(key)
                        .stream(new ByteArrayInputStream(npz), npz.length, -1).build());
            }
            try (KafkaProducer<String, byte[]> producer = producer(stack.bootstrapServers());
                 KafkaConsumer<String, byte[]> consumer = consumer(stack.bootstrapServers())) {
                consumer.subscribe(List.of(Topics.ATTACK_RESULTS));
                producer.send(new ProducerRecord<>(Topics.MODELS, Topics.key(job), Codec.toBytes(new ModelSnapshot(
                        SchemaVersion.BINARY, job, 1, key, ModelWeights.sha256(npz), given.model, "fashion-mnist")))).get();
                samples.add(sample(0, worker));
                log.printf("attack-service pid %d, RSS before the first request: %.1f MB%n", worker.pid(),
                        samples.get(0).rssMb());
                int sent = 0;
                int done = 0;
                t0 = System.nanoTime();
                long lastProgress = System.nanoTime();
                while (done < batches) {
                    while (sent < batches && sent - done < inFlight) {
                        AttackRequest r = request(job, key, spec, settings, data, sent);
                        producer.send(new ProducerRecord<>(Topics.ATTACK_REQUESTS,
                                Topics.attackRequestKey(job, sent, 0), Codec.toBytes(r)));
                        sent++;
                    }
                    producer.flush();
                    for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                        if (!job.equals(rec.key())) {
                            continue;
                        }
                        AttackResult res = Codec.fromBytes(rec.value(), AttackResult.class);
                        if (res.error() != null) {
                            failures++;
                            log.println("request " + res.step() + " failed: " + res.error());
                        }
                        done++;
                        lastProgress = System.nanoTime();
                        if (done % every == 0) {
                            samples.add(sample(done, worker));
                            log.printf("%d/%d results, RSS %.1f MB, %.2f batches/s%n", done, batches,
                                    samples.get(samples.size() - 1).rssMb(), done / ((System.nanoTime() - t0) / 1e9));
                        }
                    }
                    if (!worker.isAlive()) {
                        throw new IllegalStateException("attack-service died; see " + worker.logFile());
                    }
                    if (System.nanoTime() - lastProgress > resultTimeout.toNanos()) {
                        throw new TimeoutException("no attack result for " + resultTimeout + " (" + done + "/" + batches
                                + " done); see " + worker.logFile());
                    }
                }
                seconds = (System.nanoTime() - t0) / 1e9;
            }
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        if (failures > 0) {
            System.err.println(failures + " of " + batches + " attack requests failed; the series is still written");
        }
        double slope = BenchMath.secondHalfSlopeMbPer100(samples);
        double outsideSlope = BenchMath.secondHalfSlopeMbPer100(samples, RssSample::outsideHeapMb);
        String verdict = BenchMath.verdict(slope, flatLimit);
        write(samples, slope, outsideSlope, verdict, seconds, failures, loadBefore);
        return failures == 0 ? 0 : 1;
    }

    private AttackRequest request(String job, String key, DatasetSpec spec, AttackSettings settings, Dataset data, int step) {
        int n = jobSettings.values().batchSize;
        int per = data.info().channels() * data.info().height() * data.info().width();
        float[] images = new float[n * per];
        long[] labels = new long[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            int row = (int) (((long) step * n + i) % data.size());
            System.arraycopy(data.image(row), 0, images, i * per, per);
            labels[i] = data.label(row);
            ids[i] = row;
        }
        return new AttackRequest(SchemaVersion.BINARY, job, step, 0, step, 0, 1, 0, 1, key, jobSettings.values().model, spec, settings,
                1000L + step, ids, Tensor.ofFloats(new long[]{n, data.info().channels(), data.info().height(),
                data.info().width()}, images), Tensor.ofLongs(new long[]{n}, labels));
    }

    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    /** The stack's token: /q/metrics needs one. */
    private String metricsToken;

    /** RSS from /proc, and the committed heap from the worker's /q/metrics (-1 if it cannot be read). */
    private RssSample sample(long batches, ServiceProcess p) throws IOException, InterruptedException {
        long rss = rss(p);
        long heap = -1;
        try {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(p.url() + "/q/metrics"))
                    .header("Authorization", "Bearer " + metricsToken).timeout(Duration.ofSeconds(10)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            heap = r.statusCode() == 200 ? BenchMath.committedHeapBytes(r.body()) : -1;
        } catch (IOException e) {
            log.println("cannot read " + p.url() + "/q/metrics: " + e);
        }
        return new RssSample(batches, rss, heap);
    }

    static long rss(ServiceProcess p) throws IOException {
        return BenchMath.vmRssBytes(Files.readString(Path.of("/proc", String.valueOf(p.pid()), "status")));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "attack-memory-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024));
        return new KafkaConsumer<>(p);
    }

    /** glibc's arena limit the services inherit from this process's environment; arenas show up as native RSS. */
    private static String mallocArenaMax() {
        String v = System.getenv("MALLOC_ARENA_MAX");
        return v == null || v.isBlank() ? "unset (glibc default: 8 per core)" : v;
    }

    private void write(List<RssSample> samples, double slope, double outsideSlope, String verdict, double seconds, int failures,
                       String loadBefore)
            throws IOException {
        ResultHeader header = ResultHeader.now(AttackMemoryBench.class, args.toArray(String[]::new), loadBefore);
        Files.createDirectories(results);
        ObjectNode doc = header.json();
        doc.put("model", jobSettings.values().model);
        doc.put("method", "ham");
        doc.put("batch_size", jobSettings.values().batchSize);
        doc.put("batches", batches);
        doc.put("in_flight", inFlight);
        doc.put("attack_threads", attackThreads);
        doc.put("service_xmx", serviceXmx);
        doc.put("malloc_arena_max", mallocArenaMax());
        doc.put("failed_requests", failures);
        doc.put("seconds", seconds);
        doc.put("batches_per_second", BenchMath.perSecond(batches, seconds));
        ArrayNode arr = doc.putArray("rss");
        for (RssSample s : samples) {
            arr.addObject().put("batches", s.batches()).put("rss_bytes", s.rssBytes()).put("rss_mb", s.rssMb())
                    .put("heap_committed_bytes", s.heapCommittedBytes()).put("outside_heap_mb", s.outsideHeapMb());
        }
        doc.put("second_half_slope_mb_per_100_batches", slope);
        doc.put("second_half_slope_outside_heap_mb_per_100_batches", outsideSlope);
        doc.put("flat_limit_mb_per_100_batches", flatLimit);
        doc.put("verdict", verdict);
        Files.writeString(results.resolve("attack-memory.json"), ResultHeader.JSON.writeValueAsString(doc));

        StringBuilder md = new StringBuilder(header.markdown("Attack-service memory"));
        md.append("One attack-service (HAM_ATTACK_THREADS=").append(attackThreads).append("), ").append(batches)
                .append(" HAM requests (").append(jobSettings.values().model).append(", batch ").append(jobSettings.values().batchSize)
                .append(", Fashion-MNIST, K 10, K' 3) fed on ham.attack.requests, ").append(inFlight)
                .append(" in flight; service JVMs -Xmx ").append(serviceXmx).append(", MALLOC_ARENA_MAX ")
                .append(mallocArenaMax()).append("; ").append(failures).append(" failed; ")
                .append(BenchMath.fmt(BenchMath.perSecond(batches, seconds), 2)).append(" batches/s.\n\n");
        md.append("| results | RSS (MB) | committed heap (MB) | RSS outside the heap (MB) |\n|---:|---:|---:|---:|\n");
        for (RssSample s : samples) {
            md.append("| ").append(s.batches()).append(" | ").append(BenchMath.fmt(s.rssMb(), 1)).append(" | ")
                    .append(s.heapCommittedBytes() < 0 ? "n/a" : BenchMath.fmt(s.heapCommittedBytes() / 1048576.0, 1))
                    .append(" | ").append(BenchMath.fmt(s.outsideHeapMb(), 1)).append(" |\n");
        }
        md.append("\nSlope over the second half: **").append(BenchMath.fmt(slope, 2))
                .append(" MB per 100 batches**; verdict: **").append(verdict).append("** (flat: |slope| <= ")
                .append(BenchMath.fmt(flatLimit, 1)).append(" MB per 100 batches). Outside the Java heap (PyTorch's ")
                .append("native memory and the rest): ").append(BenchMath.fmt(outsideSlope, 2))
                .append(" MB per 100 batches.\n");
        Files.writeString(results.resolve("attack-memory.md"), md);
        log.println();
        log.print(md);
    }
}
