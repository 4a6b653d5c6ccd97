package org.hamkafka.bench;

import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.Codec;

import java.util.List;

/**
 * The bytes on the wire of {@link CodecBenchmark}'s messages in each format (deterministic: measured once, not
 * timed), as a markdown table; each figure is checked to decode back to the message first.
 */
public final class CodecSizes {
    private CodecSizes() {
    }

    public static void main(String[] args) {
        List<CodecPayloads.Format> formats = List.of(CodecPayloads.Format.values());
        StringBuilder t = new StringBuilder("| shape | message |");
        formats.forEach(f -> t.append(' ').append(f.label).append(" |"));
        t.append("\n| --- | --- |").append(" ---: |".repeat(formats.size())).append('\n');
        for (String shape : List.of("fashion-mnist", "cifar10")) {
            t.append("| ").append(shape).append(" | request (128 rows) |");
            for (CodecPayloads.Format f : formats) {
                AttackRequest r = CodecPayloads.request(shape, f.version);
                byte[] wire = f.compress(Codec.toBytes(r));
                if (!Codec.fromBytes(f.decompress(wire), AttackRequest.class).images().equals(r.images())) {
                    throw new IllegalStateException(f.label + " did not round-trip the request's images");
                }
                t.append(' ').append(wire.length).append(" |");
            }
            t.append("\n| ").append(shape).append(" | result (64 kept) |");
            for (CodecPayloads.Format f : formats) {
                AttackResult r = CodecPayloads.result(shape, f.version);
                byte[] wire = f.compress(Codec.toBytes(r));
                if (!Codec.fromBytes(f.decompress(wire), AttackResult.class).adversarial().equals(r.adversarial())) {
                    throw new IllegalStateException(f.label + " did not round-trip the result's adversarial rows");
                }
                t.append(' ').append(wire.length).append(" |");
            }
            t.append('\n');
        }
        System.out.print(t);
    }
}
