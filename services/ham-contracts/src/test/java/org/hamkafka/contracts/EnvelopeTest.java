package org.hamkafka.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The binary envelope of the tensor messages (schema version 2): its layout, its errors, and version 1 still read. */
class EnvelopeTest {

    // ---------------------------------------------------------------- layout

    @Test
    void aSnapshotsEnvelopeIsMagicVersionHeaderLengthHeaderThenTheNpzBytes() throws Exception {
        byte[] npz = {1, 2, 3, (byte) 255};
        ModelSnapshot s = new ModelSnapshot(SchemaVersion.BINARY, "job-1", 5, "k", "ab", "smallcnn", "fashion-mnist", npz);
        String header = "{\"schema_version\":2,\"job_id\":\"job-1\",\"version\":5,\"object_key\":\"k\","
                + "\"sha256\":\"ab\",\"arch\":\"smallcnn\",\"dataset\":\"fashion-mnist\","
                + "\"npz\":{\"offset\":0,\"length\":4}}";
        assertEquals(154, header.length(), "the length field below is this, 0x9a");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[]{(byte) 0x89, 'H', 'A', 'M', 2, 0, (byte) 0x9a, 0, 0, 0});
        expected.write(header.getBytes(StandardCharsets.UTF_8));
        expected.write(npz);
        assertArrayEquals(expected.toByteArray(), Codec.toBytes(s));
        assertArrayEquals(npz, Codec.fromBytes(expected.toByteArray(), ModelSnapshot.class).npz());
    }

    @Test
    void aTensorIsAWholeNpyFileInTheBodyAndTheHeaderSaysWhere() throws Exception {
        AttackResult r = Samples.attackResult();
        byte[] wire = Codec.toBytes(r);
        ByteBuffer b = ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SchemaVersion.BINARY, b.getShort(4));
        int headerLength = b.getInt(6);
        JsonNode header = Codec.mapper().readTree(Arrays.copyOfRange(wire, 10, 10 + headerLength));
        JsonNode adv = header.get("adversarial");
        assertEquals("float32", adv.get("dtype").asText());
        assertEquals("[2,1,2,2]", adv.get("shape").toString());
        assertTrue(!adv.has("data"), "no base64 in the header: " + adv);
        // .npy of (2, 1, 2, 2) float32: a 128-byte preamble and padded header, then 8 x 4 bytes of data
        assertEquals(0, adv.get("offset").asInt());
        assertEquals(128 + 32, adv.get("length").asInt());
        assertEquals(10 + headerLength + 160, wire.length, "the body is that one section");
        assertArrayEquals(TensorCodec.toNpy(r.adversarial()),
                Arrays.copyOfRange(wire, 10 + headerLength, wire.length), "raw .npy, not gzip");
        assertEquals("[0.5,1.5]", header.get("variation").toString(), "small arrays stay JSON numbers");
    }

    @Test
    void sectionsFollowInFieldOrderAndRoundTrip() throws Exception {
        AttackRequest in = Samples.attackRequest();
        byte[] wire = Codec.toBytes(in);
        int headerLength = ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).getInt(6);
        JsonNode header = Codec.mapper().readTree(Arrays.copyOfRange(wire, 10, 10 + headerLength));
        long imagesLength = TensorCodec.toNpy(in.images()).length;
        assertEquals(0, header.get("images").get("offset").asLong());
        assertEquals(imagesLength, header.get("images").get("length").asLong());
        assertEquals(imagesLength, header.get("labels").get("offset").asLong(), "labels right after the images");
        AttackRequest out = Codec.fromBytes(wire, AttackRequest.class);
        assertEquals(in.images(), out.images());
        assertEquals(in.labels(), out.labels());
        assertArrayEquals(in.exampleIds(), out.exampleIds());
        assertEquals(in.settings(), out.settings());
        assertEquals(SchemaVersion.BINARY, out.schemaVersion());
    }

    @Test
    void aBinaryMessageHasNoJsonText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codec.toJson(Samples.attackRequest()));
        assertTrue(e.getMessage().contains("binary envelope"), e.getMessage());
    }

    // ---------------------------------------------------------------- version 1 still read

    /** The AttackRequest example docs/contracts.md gave before version 2 (it still shows it, its settings shortened). */
    private static final String DOCS_V1_REQUEST = """
            {
              "schema_version" : 1,
              "job_id" : "job-1",
              "step" : 42,
              "epoch" : 1,
              "batch_index" : 7,
              "shard_index" : 1,
              "shard_count" : 2,
              "shard_offset" : 3,
              "model_version" : 5,
              "model_key" : "jobs/job-1/snapshots/5.npz",
              "arch" : "smallcnn",
              "dataset" : {
                "name" : "fashion-mnist",
                "channels" : 1,
                "height" : 2,
                "width" : 2,
                "num_classes" : 3,
                "class_names" : [ "t-shirt", "trouser", "pullover" ],
                "mean" : [ 0.286 ],
                "std" : [ 0.353 ]
              },
              "settings" : {
                "method" : "ham",
                "eps" : 0.03137255,
                "alpha" : 0.007843138,
                "steps" : 10,
                "drop_step" : 3,
                "norm" : "linf",
                "random_start" : true,
                "variation_on_logits" : false,
                "trades_beta" : 6.0,
                "fgsm_alpha" : 0.039215688,
                "warmup_epochs" : 2
              },
              "seed" : 1234,
              "example_ids" : [ 10, 11, 12 ],
              "images" : {
                "dtype" : "float32",
                "shape" : [ 3, 1, 2, 2 ],
                "data" : "H4sIAAAAAAAA/5vsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6CoY6CkZApKmjUKtABuBiAILGhgbrxgYGm4MHHGyAbJuFCxYA2QdsHj54AOQz2E6cIGC7cIGC7cYNBrYAxiWlOLAAAAA="
              },
              "labels" : {
                "dtype" : "int64",
                "shape" : [ 3 ],
                "data" : "H4sIAAAAAAAA/5vsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6mjoKtQoUAC4GKGCC0oxQGgDm81VNmAAAAA=="
              }
            }
            """;

    @Test
    void theVersion1JsonOfTheDocsIsStillReadToTheSameMessage() {
        AttackRequest old = Codec.fromJson(DOCS_V1_REQUEST, AttackRequest.class);
        AttackRequest now = Samples.attackRequest();
        assertEquals(SchemaVersion.JSON_TENSORS, old.schemaVersion(), "read as it was written");
        assertEquals(now.images(), old.images());
        assertEquals(now.labels(), old.labels());
        assertArrayEquals(now.exampleIds(), old.exampleIds());
        assertEquals(now.settings(), old.settings());
        assertEquals(now.dataset().classNames(), old.dataset().classNames());
        assertEquals(now.step(), old.step());
        assertEquals(now.shardOffset(), old.shardOffset());
        assertEquals("jobs/job-1/snapshots/5.npz", old.modelKey());
    }

    @Test
    void version1AndVersion2CarryTheSameMessage() {
        for (Versioned[] pair : new Versioned[][]{
                {Samples.attackRequest(1), Samples.attackRequest(2)},
                {Samples.attackResult(1), Samples.attackResult(2)},
                {Samples.modelSnapshot(1), Samples.modelSnapshot(2)}}) {
            Class<? extends Versioned> type = pair[0].getClass();
            byte[] json = Codec.toBytes(pair[0]);
            assertEquals('{', json[0], "version 1 is written as JSON still");
            Versioned old = Codec.fromBytes(json, type);
            assertEquals(1, old.schemaVersion());
            // the same fields: written again as version 2 they give version 2's very bytes
            assertArrayEquals(Codec.toBytes(pair[1]), Codec.toBytes(asVersion2(old)), type.getSimpleName());
        }
    }

    @Test
    void aFailureAnswersInTheRequestsVersion() {
        assertEquals(1, AttackResult.failure(Samples.attackRequest(1), "w", "why").schemaVersion());
        assertEquals(2, AttackResult.failure(Samples.attackRequest(2), "w", "why").schemaVersion());
    }

    private static Versioned asVersion2(Versioned m) {
        if (m instanceof AttackRequest r) {
            return new AttackRequest(2, r.jobId(), r.step(), r.epoch(), r.batchIndex(), r.shardIndex(), r.shardCount(),
                    r.shardOffset(), r.modelVersion(), r.modelKey(), r.arch(), r.dataset(), r.settings(), r.seed(),
                    r.exampleIds(), r.images(), r.labels());
        }
        if (m instanceof AttackResult r) {
            return new AttackResult(2, r.jobId(), r.step(), r.epoch(), r.shardIndex(), r.shardCount(), r.shardOffset(),
                    r.modelVersion(), r.keptIndices(), r.variation(), r.adversarial(), r.stats(), r.workerId(), r.error());
        }
        ModelSnapshot s = (ModelSnapshot) m;
        return new ModelSnapshot(2, s.jobId(), s.version(), s.objectKey(), s.sha256(), s.arch(), s.dataset(), s.npz());
    }

    // ---------------------------------------------------------------- errors, each named

    @Test
    void aTruncatedPreambleIsNamed() {
        byte[] wire = Arrays.copyOf(Codec.toBytes(Samples.attackRequest()), 7);
        assertMalformed("AttackRequest: truncated binary envelope: 7 bytes, fewer than the 10-byte preamble",
                () -> Codec.fromBytes(wire, AttackRequest.class));
    }

    @Test
    void badMagicIsNamed() {
        byte[] wire = Codec.toBytes(Samples.attackRequest());
        wire[3] = 'X';
        assertMalformed("AttackRequest: bad magic 89 48 41 58: neither JSON nor a binary envelope (89 48 41 4d)",
                () -> Codec.fromBytes(wire, AttackRequest.class));
    }

    @Test
    void aHeaderOverTheLimitOrPastTheEndIsNamed() {
        byte[] wire = Codec.toBytes(Samples.attackRequest());
        ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).putInt(6, -1); // 4294967295 as uint32
        assertMalformed("AttackRequest: header length 4294967295 is over the limit of 1048576 bytes",
                () -> Codec.fromBytes(wire, AttackRequest.class));
        ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).putInt(6, wire.length);
        assertMalformed("AttackRequest: truncated binary envelope: header length " + wire.length
                + " runs past the end of the " + wire.length + "-byte message",
                () -> Codec.fromBytes(wire, AttackRequest.class));
    }

    @Test
    void aTruncatedBodyIsNamedWithItsField() {
        byte[] whole = Codec.toBytes(Samples.attackRequest());
        byte[] cut = Arrays.copyOf(whole, whole.length - 1);
        MalformedMessageException e = assertMalformed("AttackRequest: field 'labels': section [",
                () -> Codec.fromBytes(cut, AttackRequest.class));
        assertTrue(e.getMessage().contains("runs past the end of the") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void bytesNoSectionClaimsAreNamed() {
        byte[] whole = Codec.toBytes(Samples.attackRequest());
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);
        assertMalformed("AttackRequest: the body holds ", () -> Codec.fromBytes(longer, AttackRequest.class));
    }

    @Test
    void bytesTwoSectionsClaimAreRefused() {
        // a 20-byte body read as [0, 12) and [8, 20): 24 bytes claimed, 20 there, 4 read twice
        Envelope.Reader r = new Envelope.Reader(new byte[10 + 20], new Envelope.Frame(2, 10, 0));
        r.section(0, 12);
        r.section(8, 12);
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> r.requireAllReferenced("T"));
        assertTrue(e.getMessage().contains("sections overlap: [8, 20) starts before the section before it ends at 12"),
                e.getMessage());
        // the same body read as [0, 8) and [8, 20) is whole
        Envelope.Reader ok = new Envelope.Reader(new byte[10 + 20], new Envelope.Frame(2, 10, 0));
        ok.section(8, 12);
        ok.section(0, 8);
        ok.requireAllReferenced("T");
    }

    @Test
    void aMalformedHeaderIsNamed() {
        byte[] header = "{\"schema_version\": 2, \"job_id\": ".getBytes(StandardCharsets.UTF_8);
        assertMalformed("AttackRequest: malformed JSON in the header",
                () -> Codec.fromBytes(envelope(2, header), AttackRequest.class));
        byte[] other = "{\"schema_version\": 1}".getBytes(StandardCharsets.UTF_8);
        assertMalformed("AttackRequest: the header's schema_version 1 disagrees with the envelope's 2",
                () -> Codec.fromBytes(envelope(2, other), AttackRequest.class));
    }

    @Test
    void aTensorWithoutItsSectionIsNamed() throws Exception {
        byte[] wire = Codec.toBytes(Samples.attackRequest());
        int headerLength = ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).getInt(6);
        ObjectNode header = (ObjectNode) Codec.mapper().readTree(Arrays.copyOfRange(wire, 10, 10 + headerLength));
        ((ObjectNode) header.get("images")).remove("offset");
        byte[] changed = envelope(2, Codec.mapper().writeValueAsBytes(header),
                Arrays.copyOfRange(wire, 10 + headerLength, wire.length));
        assertMalformed("AttackRequest: field 'images': tensor field 'offset' must be a non-negative integer",
                () -> Codec.fromBytes(changed, AttackRequest.class));
    }

    @Test
    void anUnknownEnvelopeVersionIsRefusedWithTheVersionsRead() {
        for (int v : new int[]{1, 3}) {
            byte[] wire = Codec.toBytes(Samples.attackRequest());
            wire[4] = (byte) v;
            UnsupportedSchemaVersionException e = assertThrows(UnsupportedSchemaVersionException.class,
                    () -> Codec.fromBytes(wire, AttackRequest.class));
            assertEquals("AttackRequest: schema_version " + v + " in a binary envelope is not supported; this "
                    + "consumer reads 2 as a binary envelope and 1 as JSON", e.getMessage());
            assertEquals(v, e.version());
        }
    }

    @Test
    void version2AsJsonIsRefused() throws Exception {
        ObjectNode json = (ObjectNode) Codec.mapper().readTree(Codec.toBytes(Samples.attackResult(1)));
        json.put("schema_version", 2);
        UnsupportedSchemaVersionException e = assertThrows(UnsupportedSchemaVersionException.class,
                () -> Codec.fromJson(json.toString(), AttackResult.class));
        assertEquals("AttackResult: schema_version 2 as JSON is not supported; this consumer reads 2 as a binary "
                + "envelope and 1 as JSON", e.getMessage());
    }

    @Test
    void anEnvelopeWhereJsonIsExpectedIsNamed() {
        byte[] wire = envelope(2, "{\"schema_version\": 2}".getBytes(StandardCharsets.UTF_8));
        assertMalformed("CheckpointAnnouncement: found a binary envelope, but this message is JSON",
                () -> Codec.fromBytes(wire, CheckpointAnnouncement.class));
    }

    private static byte[] envelope(int version, byte[] header, byte[]... body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer preamble = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        preamble.put(new byte[]{(byte) 0x89, 'H', 'A', 'M'}).putShort((short) version).putInt(header.length);
        out.writeBytes(preamble.array());
        out.writeBytes(header);
        for (byte[] b : body) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static MalformedMessageException assertMalformed(String start, Executable call) {
        MalformedMessageException e = assertThrows(MalformedMessageException.class, call);
        assertTrue(e.getMessage().startsWith(start), "expected '" + start + "...', got: " + e.getMessage());
        assertInstanceOf(ContractException.class, e, "dead-lettered like every contract error");
        return e;
    }
}
