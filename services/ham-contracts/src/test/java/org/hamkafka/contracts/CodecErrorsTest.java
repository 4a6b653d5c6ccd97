package org.hamkafka.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The checks of a message's fields, on the JSON form (version 1 of the tensor messages, {@link #V1}); the header
 * of a binary envelope goes through the same ones, and {@link EnvelopeTest} covers the envelope's own errors.
 */
class CodecErrorsTest {
    private static final int V1 = SchemaVersion.JSON_TENSORS;

    private static ObjectNode tree(Versioned message) throws Exception {
        return (ObjectNode) Codec.mapper().readTree(Codec.toBytes(message));
    }

    @Test
    void unknownSchemaVersionIsRejectedWithBothVersions() throws Exception {
        ObjectNode json = tree(Samples.modelSnapshot(V1));
        json.put("schema_version", 7);
        UnsupportedSchemaVersionException e = assertThrows(UnsupportedSchemaVersionException.class,
                () -> Codec.fromJson(json.toString(), ModelSnapshot.class));
        assertEquals("ModelSnapshot: schema_version 7 as JSON is not supported; this consumer reads 2 as a binary "
                + "envelope and 1 as JSON", e.getMessage());
        assertEquals(7, e.version());
        ObjectNode checkpoint = tree(Samples.checkpoint());
        checkpoint.put("schema_version", 3);
        e = assertThrows(UnsupportedSchemaVersionException.class,
                () -> Codec.fromJson(checkpoint.toString(), CheckpointAnnouncement.class));
        assertEquals("CheckpointAnnouncement: schema_version 3 is not supported; this consumer reads 2 and 1",
                e.getMessage());
    }

    @Test
    void missingSchemaVersionIsMalformed() throws Exception {
        ObjectNode json = tree(Samples.modelSnapshot(V1));
        json.remove("schema_version");
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), ModelSnapshot.class));
        assertTrue(e.getMessage().contains("'schema_version'"), e.getMessage());
    }

    @Test
    void inlineSnapshotBytesMustBeBase64AndNotEmpty() throws Exception {
        ObjectNode json = tree(Samples.modelSnapshot(V1));
        json.put("npz", "not base64!");
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), ModelSnapshot.class));
        assertTrue(e.getMessage().startsWith("ModelSnapshot: field 'npz'"), e.getMessage());
        json.put("npz", "");
        e = assertThrows(MalformedMessageException.class, () -> Codec.fromJson(json.toString(), ModelSnapshot.class));
        assertTrue(e.getMessage().contains("npz must be absent or hold the snapshot's bytes"), e.getMessage());
    }

    @Test
    void malformedJsonIsNamed() {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson("{\"schema_version\": 1, \"job_id\": ", ModelSnapshot.class));
        assertTrue(e.getMessage().startsWith("ModelSnapshot: malformed JSON"), e.getMessage());
        assertThrows(MalformedMessageException.class, () -> Codec.fromJson("[1, 2]", ModelSnapshot.class));
        assertThrows(MalformedMessageException.class, () -> Codec.fromBytes(new byte[0], ModelSnapshot.class));
        assertThrows(MalformedMessageException.class, () -> Codec.fromJson("{} {}", ModelSnapshot.class));
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        ObjectNode json = tree(Samples.attackRequest(V1));
        json.remove("shard_offset");
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), AttackRequest.class));
        assertEquals("AttackRequest: missing required field 'shard_offset'", e.getMessage());
    }

    @Test
    void missingNestedFieldIsNamedWithItsPath() throws Exception {
        ObjectNode json = tree(Samples.attackRequest(V1));
        ((ObjectNode) json.get("settings")).remove("drop_step");
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), AttackRequest.class));
        assertEquals("AttackRequest: missing required field 'settings.drop_step'", e.getMessage());

        ObjectNode eval = tree(Samples.evalResult());
        ((ObjectNode) eval.get("robust_by_attack").get("cw-20")).remove("worst");
        e = assertThrows(MalformedMessageException.class, () -> Codec.fromJson(eval.toString(), EvalResult.class));
        assertEquals("EvalResult: missing required field 'robust_by_attack.cw-20.worst'", e.getMessage());
    }

    @Test
    void nullForRequiredFieldIsRejectedButNullableMayBeAbsent() throws Exception {
        ObjectNode json = tree(Samples.attackResult(V1));
        json.putNull("worker_id");
        assertThrows(MalformedMessageException.class, () -> Codec.fromJson(json.toString(), AttackResult.class));

        ObjectNode ok = tree(Samples.attackResult(V1));
        ok.remove("error");
        ok.remove("variation");
        AttackResult r = Codec.fromJson(ok.toString(), AttackResult.class);
        assertEquals(null, r.variation());
    }

    @Test
    void wrongTypeNamesTheField() throws Exception {
        ObjectNode json = tree(Samples.attackRequest(V1));
        json.put("step", "forty-two");
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), AttackRequest.class));
        assertTrue(e.getMessage().startsWith("AttackRequest: field 'step'"), e.getMessage());
    }

    @Test
    void invariantViolationIsMalformed() throws Exception {
        ObjectNode json = tree(Samples.attackRequest(V1));
        json.put("shard_index", 5); // shard_count is 2
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), AttackRequest.class));
        assertTrue(e.getMessage().contains("shard_index 5 must be < shard_count 2"), e.getMessage());
    }

    @Test
    void badTensorIsNamed() throws Exception {
        ObjectNode json = tree(Samples.attackRequest(V1));
        ((ObjectNode) json.get("images")).put("data", "bm90IGd6aXA="); // base64 of "not gzip"
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> Codec.fromJson(json.toString(), AttackRequest.class));
        assertTrue(e.getMessage().contains("'images'") && e.getMessage().contains("not gzip"), e.getMessage());
        assertTrue(hasCause(e, TensorFormatException.class));

        ObjectNode shape = tree(Samples.attackRequest(V1));
        ((ObjectNode) shape.get("images")).putArray("shape").add(3).add(1).add(2).add(3);
        e = assertThrows(MalformedMessageException.class, () -> Codec.fromJson(shape.toString(), AttackRequest.class));
        assertTrue(e.getMessage().contains("declares float32 [3, 1, 2, 3] but its data is float32 [3, 1, 2, 2]"),
                e.getMessage());
    }

    @Test
    void contractErrorsShareABaseTypeForDeadLettering() {
        assertInstanceOf(ContractException.class, new UnsupportedSchemaVersionException("X", 2));
        assertInstanceOf(ContractException.class, new MalformedMessageException("x"));
        assertInstanceOf(ContractException.class, new TensorFormatException("x"));
    }

    private static boolean hasCause(Throwable t, Class<?> kind) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (kind.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
