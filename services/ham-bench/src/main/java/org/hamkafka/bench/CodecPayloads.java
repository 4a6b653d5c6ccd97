package org.hamkafka.bench;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.ShardStats;
import org.hamkafka.contracts.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The messages {@link CodecBenchmark} encodes and decodes, and the wire formats it compares.
 *
 * <p>A request is one unsharded batch of 128 images of a data set's shape: pixels {@code k/255} at random, a
 * third of them 0 on Fashion-MNIST (its background; none on CIFAR-10), as docs/contracts.md measured the JSON
 * form. Its result keeps 64 of the 128 rows (HAM at a drop rate of one half): their adversarial images are the
 * clean ones plus {@code ±eps} per pixel at random, clipped to [0, 1] (PGD's δ ends mostly on the corners of the
 * eps-box), with a variation per kept row. Seeded: the same bytes every run.
 */
final class CodecPayloads {
    static final int BATCH = 128;
    static final int KEPT = 64;

    /** A wire format: the message's schema version, then what the producer does to its bytes. */
    enum Format {
        /** version 1: JSON, tensors base64(gzip(npy)) inside it, no producer compression */
        JSON_V1("json-v1", SchemaVersion.JSON_TENSORS, Compression.NONE),
        /** version 2: the binary envelope as it leaves the codec */
        BINARY_V2("binary-v2", SchemaVersion.BINARY, Compression.NONE),
        /** version 2 compressed by the producer with lz4, as the services are configured */
        BINARY_V2_LZ4("binary-v2-lz4", SchemaVersion.BINARY, Compression.lz4().build()),
        /** version 2 compressed by the producer with zstd (level 3, Kafka's default) */
        BINARY_V2_ZSTD("binary-v2-zstd", SchemaVersion.BINARY, Compression.zstd().build());

        final String label;
        final int version;
        final Compression compression;

        Format(String label, int version, Compression compression) {
            this.label = label;
            this.version = version;
            this.compression = compression;
        }

        static Format of(String label) {
            for (Format f : values()) {
                if (f.label.equals(label)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("format '" + label + "' is not one of json-v1, binary-v2, "
                    + "binary-v2-lz4, binary-v2-zstd");
        }

        /** What goes on the wire for a message's codec bytes: compressed the way Kafka compresses a batch. */
        byte[] compress(byte[] bytes) {
            if (compression == Compression.NONE) {
                return bytes;
            }
            ByteBufferOutputStream out = new ByteBufferOutputStream(bytes.length / 2 + 1024);
            try (OutputStream s = compression.wrapForOutput(out, RecordBatch.CURRENT_MAGIC_VALUE)) {
                s.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ByteBuffer b = out.buffer().flip();
            byte[] wire = new byte[b.remaining()];
            b.get(wire);
            return wire;
        }

        /** The codec bytes back from the wire. */
        byte[] decompress(byte[] wire) {
            if (compression == Compression.NONE) {
                return wire;
            }
            try (InputStream in = compression.wrapForInput(ByteBuffer.wrap(wire), RecordBatch.CURRENT_MAGIC_VALUE,
                    BufferSupplier.NO_CACHING)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private CodecPayloads() {
    }

    /** fashion-mnist: 1×28×28, eps 0.1; cifar10: 3×32×32, eps 8/255. */
    static DatasetSpec spec(String shape) {
        return switch (shape) {
            case "fashion-mnist" -> new DatasetSpec("fashion-mnist", 1, 28, 28, 10, null, null, null);
            case "cifar10" -> new DatasetSpec("cifar10", 3, 32, 32, 10, null, null, null);
            default -> throw new IllegalArgumentException("shape '" + shape + "' is not fashion-mnist or cifar10");
        };
    }

    static float eps(String shape) {
        return "cifar10".equals(shape) ? 8 / 255f : 0.1f;
    }

    static float[] pixels(String shape, int rows, long seed) {
        DatasetSpec s = spec(shape);
        boolean background = "fashion-mnist".equals(shape);
        Random rnd = new Random(seed);
        float[] px = new float[rows * s.channels() * s.height() * s.width()];
        for (int i = 0; i < px.length; i++) {
            px[i] = background && rnd.nextInt(3) == 0 ? 0f : rnd.nextInt(256) / 255f;
        }
        return px;
    }

    static AttackRequest request(String shape, int version) {
        DatasetSpec s = spec(shape);
        long[] ids = new long[BATCH];
        long[] labels = new long[BATCH];
        Random rnd = new Random(2);
        for (int i = 0; i < BATCH; i++) {
            ids[i] = rnd.nextInt(60_000);
            labels[i] = rnd.nextInt(10);
        }
        float eps = eps(shape);
        AttackSettings settings = new AttackSettings("ham", eps, eps / 4, 10, 3, "linf", true, false, 6f, 1.25f * eps, 2);
        return new AttackRequest(version, "bench-job", 1234, 3, 17, 0, 1, 0, 1234, "jobs/bench-job/models/1234.npz",
                "smallcnn", s, settings, 42L, ids,
                Tensor.ofFloats(new long[]{BATCH, s.channels(), s.height(), s.width()}, pixels(shape, BATCH, 1)),
                Tensor.ofLongs(new long[]{BATCH}, labels));
    }

    static AttackResult result(String shape, int version) {
        DatasetSpec s = spec(shape);
        float eps = eps(shape);
        float[] adv = pixels(shape, KEPT, 1);
        Random rnd = new Random(3);
        for (int i = 0; i < adv.length; i++) {
            adv[i] = Math.min(1f, Math.max(0f, adv[i] + (rnd.nextBoolean() ? eps : -eps)));
        }
        int[] kept = new int[KEPT];
        float[] variation = new float[KEPT];
        for (int i = 0; i < KEPT; i++) {
            kept[i] = 2 * i;
            variation[i] = rnd.nextFloat() * 3;
        }
        return new AttackResult(version, "bench-job", 1234, 3, 0, 1, 0, 1234, kept, variation,
                Tensor.ofFloats(new long[]{KEPT, s.channels(), s.height(), s.width()}, adv),
                new ShardStats(BATCH, KEPT, 7 * BATCH, 6 * BATCH, 812.5), "bench-worker", null);
    }
}
