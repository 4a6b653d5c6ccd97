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
 * Jackson binding of {@link Tensor}: in JSON {@code {"dtype", "shape", "data": base64(gzip(npy))}}; in the
 * header of a binary {@link Envelope} {@code {"dtype", "shape", "offset", "length"}}, the {@code .npy} bytes in
 * the body.
 */
final class TensorJson {
    private TensorJson() {
    }

    static final class Serializer extends StdSerializer<Tensor> {
        Serializer() {
            super(Tensor.class);
        }

        @Override
        public void serialize(Tensor t, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeStringField("dtype", t.dtype().jsonName());
            gen.writeArrayFieldStart("shape");
            for (long d : t.shape()) {
                gen.writeNumber(d);
            }
            gen.writeEndArray();
            if (provider.getAttribute(Envelope.Writer.class) instanceof Envelope.Writer body) {
                byte[] npy = TensorCodec.toNpy(t);
                gen.writeNumberField("offset", body.add(npy));
                gen.writeNumberField("length", npy.length);
            } else {
                gen.writeStringField("data", TensorCodec.encode(t));
            }
            gen.writeEndObject();
        }
    }

    static final class Deserializer extends StdDeserializer<Tensor> {
        Deserializer() {
            super(Tensor.class);
        }

        @Override
        public Tensor deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (!node.isObject()) {
                throw new TensorFormatException("tensor must be a JSON object with dtype, shape and data");
            }
            JsonNode dtype = node.get("dtype");
            JsonNode shape = node.get("shape");
            if (dtype == null || !dtype.isTextual()) {
                throw new TensorFormatException("tensor field 'dtype' is missing or not a string");
            }
            if (shape == null || !shape.isArray()) {
                throw new TensorFormatException("tensor field 'shape' is missing or not an array");
            }
            Tensor.DType declared = Tensor.DType.fromJsonName(dtype.asText());
            long[] declaredShape = new long[shape.size()];
            for (int i = 0; i < declaredShape.length; i++) {
                if (!shape.get(i).canConvertToLong() || !shape.get(i).isIntegralNumber()) {
                    throw new TensorFormatException("tensor field 'shape' must hold integers, found " + shape);
                }
                declaredShape[i] = shape.get(i).asLong();
            }
            Tensor t = ctxt.getAttribute(Envelope.Reader.class) instanceof Envelope.Reader body
                    ? fromSection(node, body) : fromData(node);
            if (t.dtype() != declared || !Arrays.equals(t.shape(), declaredShape)) {
                throw new TensorFormatException("tensor declares " + declared.jsonName() + " "
                        + Arrays.toString(declaredShape) + " but its data is " + t.dtype().jsonName() + " "
                        + Arrays.toString(t.shape()));
            }
            return t;
        }

        private static Tensor fromData(JsonNode node) {
            JsonNode data = node.get("data");
            if (data == null || !data.isTextual()) {
                throw new TensorFormatException("tensor field 'data' is missing or not a base64 string");
            }
            return TensorCodec.decode(data.asText());
        }

        private static Tensor fromSection(JsonNode node, Envelope.Reader body) {
            long offset = BytesJson.integer(node, "offset", "tensor");
            long length = BytesJson.integer(node, "length", "tensor");
            return TensorCodec.fromNpy(body.bytes(), body.section(offset, length), (int) length);
        }
    }
}
