package org.hamkafka.contracts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Arrays;

/**
 * Jackson binding of a byte string field (a {@link ModelSnapshot}'s {@code npz}): base64 in JSON (Jackson's
 * own), {@code {"offset", "length"}} in the header of a binary {@link Envelope}, the bytes in the body.
 */
final class BytesJson {
    private BytesJson() {
    }

    static final class Serializer extends StdSerializer<byte[]> {
        Serializer() {
            super(byte[].class);
        }

        @Override
        public void serialize(byte[] bytes, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (provider.getAttribute(Envelope.Writer.class) instanceof Envelope.Writer body) {
                gen.writeStartObject();
                gen.writeNumberField("offset", body.add(bytes));
                gen.writeNumberField("length", bytes.length);
                gen.writeEndObject();
            } else {
                gen.writeBinary(bytes);
            }
        }
    }

    static final class Deserializer extends StdDeserializer<byte[]> {
        Deserializer() {
            super(byte[].class);
        }

        @Override
        public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!(ctxt.getAttribute(Envelope.Reader.class) instanceof Envelope.Reader body)) {
                return ctxt.readValue(p, byte[].class); // JSON: Jackson's base64
            }
            JsonNode node = ctxt.readTree(p);
            if (!node.isObject()) {
                throw new MalformedMessageException("a byte string in a binary envelope must be an object "
                        + "{\"offset\", \"length\"}, found " + node.getNodeType().toString().toLowerCase());
            }
            long offset = integer(node, "offset", "byte string");
            long length = integer(node, "length", "byte string");
            int start = body.section(offset, length);
            return Arrays.copyOfRange(body.bytes(), start, start + (int) length);
        }
    }

    /** The non-negative integer {@code node.field} of a section reference, or a failure naming it. */
    static long integer(JsonNode node, String field, String what) {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new MalformedMessageException(what + " field '" + field + "' must be a non-negative integer "
                    + "(its section in the envelope's body), found " + (v == null ? "nothing" : v.toString()));
        }
        return v.asLong();
    }
}
