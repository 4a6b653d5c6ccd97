package org.hamkafka.bench;

import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.Codec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the wire format of the tensor messages costs per message. One invocation encodes a record to what
 * goes on the wire (the codec's bytes, then the producer's compression where the format has one), or decodes the
 * wire back to the record; for an attack request of 128 images and its result (64 adversarial rows), of the
 * Fashion-MNIST and the CIFAR-10 shape ({@link CodecPayloads}). The formats: version 1 JSON with
 * base64(gzip(npy)) tensors, the version 2 binary envelope as is, and with lz4 or zstd as Kafka's producer
 * compresses it. {@link CodecSizes} prints the bytes of each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
public class CodecBenchmark {
    @Param({"fashion-mnist", "cifar10"})
    public String shape;

    @Param({"json-v1", "binary-v2", "binary-v2-lz4", "binary-v2-zstd"})
    public String format;

    private CodecPayloads.Format f;
    private AttackRequest request;
    private AttackResult result;
    private byte[] requestWire;
    private byte[] resultWire;

    @Setup
    public void setUp() {
        f = CodecPayloads.Format.of(format);
        request = CodecPayloads.request(shape, f.version);
        result = CodecPayloads.result(shape, f.version);
        requestWire = f.compress(Codec.toBytes(request));
        resultWire = f.compress(Codec.toBytes(result));
    }

    @Benchmark
    public byte[] encodeRequest() {
        return f.compress(Codec.toBytes(request));
    }

    @Benchmark
    public AttackRequest decodeRequest() {
        return Codec.fromBytes(f.decompress(requestWire), AttackRequest.class);
    }

    @Benchmark
    public byte[] encodeResult() {
        return f.compress(Codec.toBytes(result));
    }

    @Benchmark
    public AttackResult decodeResult() {
        return Codec.fromBytes(f.decompress(resultWire), AttackResult.class);
    }
}
