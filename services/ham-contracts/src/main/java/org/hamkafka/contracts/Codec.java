package org.hamkafka.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes the message records as UTF-8 JSON with snake_case field names, and the messages that carry
 * tensors ({@link SchemaVersion#carriesTensors}) as a binary {@link Envelope} whose header is that JSON with
 * references for the tensors. One {@link ObjectMapper}, configured once; thread-safe.
 *
 * <p>Reading checks, in this order: an envelope's preamble (magic, version, header length); the bytes (or the
 * header) are one JSON object; {@code schema_version} is present and is one the type reads (else
 * {@link UnsupportedSchemaVersionException}; an older version that is still read, such as {@link EvalResultV1},
 * is upgraded, and an EvalResult from before the four-attack AutoAttack names its APGD part as such
 * ({@link EvalResult#withApgdPartNamed}); a tensor message's version 1 JSON is read as it is); every
 * field not marked {@link Nullable} is present and non-null, nested records included; types and
 * tensors are valid. Every failure is a {@link ContractException} naming the record type and field.
 * Unknown fields are ignored, so adding an optional field does not break older consumers.
 */
public final class Codec {
    private static final PropertyNamingStrategies.NamingBase NAMING =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private Codec() {
    }

    /** A copy of the configured mapper, e.g. for a REST layer that must write the same JSON. */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    /**
     * The wire bytes of a message record: a binary {@link Envelope} for a message that carries tensors, at
     * {@link SchemaVersion#BINARY}; UTF-8 JSON for every other record (a tensor message of version 1 included).
     */
    public static byte[] toBytes(Versioned message) {
        Require.nonNull(message, "message");
        try {
            if (binary(message)) {
                Envelope.Writer body = new Envelope.Writer();
                byte[] header = MAPPER.writer().withAttribute(Envelope.Writer.class, body).writeValueAsBytes(message);
                return Envelope.write(message.schemaVersion(), header, body);
            }
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** JSON text of a message record; a binary one ({@link #toBytes}) has none. */
    public static String toJson(Versioned message) {
        if (binary(Require.nonNull(message, "message"))) {
            throw new IllegalArgumentException(message.getClass().getSimpleName() + " of schema_version "
                    + message.schemaVersion() + " is a binary envelope, not JSON text: use toBytes");
        }
        return new String(toBytes(message), StandardCharsets.UTF_8);
    }

    /** Reads JSON text; see {@link #fromBytes}. */
    public static <T extends Versioned> T fromJson(String json, Class<T> type) {
        return fromBytes(json == null ? null : json.getBytes(StandardCharsets.UTF_8), type);
    }

    /**
     * Reads a message record from its wire bytes: a binary {@link Envelope} (they start with its magic) or
     * UTF-8 JSON.
     *
     * @throws UnsupportedSchemaVersionException when {@code schema_version} is not one the type reads
     * @throws MalformedMessageException         on bad JSON, a missing required field or a wrong type; on a
     *                                           truncated envelope, bad magic, a header too long or a section
     *                                           past the end of the body
     */
    public static <T extends Versioned> T fromBytes(byte[] bytes, Class<T> type) {
        String name = type.getSimpleName();
        if (bytes == null || bytes.length == 0) {
            throw new MalformedMessageException(name + ": message is empty");
        }
        if (Envelope.looksBinary(bytes)) {
            return fromEnvelope(bytes, type);
        }
        JsonNode root = parseObject(name, bytes, 0, bytes.length, "JSON");
        int version = version(name, root);
        if (type == EvalResult.class) {
            EvalResult r = version == EvalResultV1.VERSION ? read(name, EvalResultV1.class, root, null).upgrade()
                    : version == SchemaVersion.EVAL_RESULT ? read(name, EvalResult.class, root, null) : null;
            if (r != null) {
                return type.cast(r.withApgdPartNamed());
            }
        }
        if (SchemaVersion.carriesTensors(type) && version != SchemaVersion.JSON_TENSORS) {
            throw new UnsupportedSchemaVersionException(name, "schema_version " + version + " as JSON is not supported",
                    version, TENSOR_VERSIONS);
        }
        if (type == CheckpointAnnouncement.class && version != SchemaVersion.CHECKPOINT && version != SchemaVersion.CURRENT) {
            throw new UnsupportedSchemaVersionException(name, "schema_version " + version + " is not supported", version,
                    SchemaVersion.CHECKPOINT + " and " + SchemaVersion.CURRENT);
        }
        if (!SchemaVersion.carriesTensors(type) && type != CheckpointAnnouncement.class && version != SchemaVersion.of(type)) {
            throw new UnsupportedSchemaVersionException(name, version, SchemaVersion.of(type));
        }
        return read(name, type, root, null);
    }

    private static final String TENSOR_VERSIONS = SchemaVersion.BINARY + " as a binary envelope and "
            + SchemaVersion.JSON_TENSORS + " as JSON";

    private static boolean binary(Versioned message) {
        return SchemaVersion.carriesTensors(message.getClass()) && message.schemaVersion() == SchemaVersion.BINARY;
    }

    private static <T extends Versioned> T fromEnvelope(byte[] bytes, Class<T> type) {
        String name = type.getSimpleName();
        Envelope.Frame frame = Envelope.read(name, bytes);
        if (!SchemaVersion.carriesTensors(type)) {
            throw new MalformedMessageException(name + ": found a binary envelope, but this message is JSON "
                    + "(only AttackRequest, AttackResult and ModelSnapshot travel as envelopes)");
        }
        if (frame.schemaVersion() != SchemaVersion.BINARY) {
            throw new UnsupportedSchemaVersionException(name, "schema_version " + frame.schemaVersion()
                    + " in a binary envelope is not supported", frame.schemaVersion(), TENSOR_VERSIONS);
        }
        JsonNode header = parseObject(name, bytes, frame.headerStart(), frame.headerLength(), "JSON in the header");
        int version = version(name, header);
        if (version != frame.schemaVersion()) {
            throw new MalformedMessageException(name + ": the header's schema_version " + version
                    + " disagrees with the envelope's " + frame.schemaVersion());
        }
        Envelope.Reader body = new Envelope.Reader(bytes, frame);
        T message = read(name, type, header, body);
        body.requireAllReferenced(name);
        return message;
    }

    private static JsonNode parseObject(String name, byte[] bytes, int offset, int length, String what) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes, offset, length);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException(name + ": malformed " + what + ": " + e.getOriginalMessage()
                    + location(e), e);
        } catch (IOException e) {
            throw new MalformedMessageException(name + ": unreadable message: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedMessageException(name + ": message must be a JSON object, found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        return root;
    }

    private static int version(String name, JsonNode root) {
        JsonNode version = root.get("schema_version");
        if (version == null || version.isNull()) {
            throw new MalformedMessageException(name + ": missing required field 'schema_version'");
        }
        if (!version.isInt()) {
            throw new MalformedMessageException(name + ": field 'schema_version' must be an integer, found " + version);
        }
        return version.intValue();
    }

    /** Binds a checked tree; {@code body} is the envelope's body its tensors refer to, or null for JSON. */
    private static <T> T read(String name, Class<T> type, JsonNode root, Envelope.Reader body) {
        checkRequired(name, type, root, "");
        ObjectReader reader = MAPPER.readerFor(type);
        try {
            return (body == null ? reader : reader.withAttribute(Envelope.Reader.class, body)).readValue(root);
        } catch (JsonProcessingException e) {
            String field = path(e);
            ContractException contract = findCause(e, ContractException.class);
            IllegalArgumentException invalid = findCause(e, IllegalArgumentException.class);
            String why = contract != null ? contract.getMessage()
                    : invalid != null ? invalid.getMessage() : e.getOriginalMessage();
            throw new MalformedMessageException(name + (field.isEmpty() ? "" : ": field '" + field + "'") + ": " + why, e);
        } catch (IOException e) {
            throw new MalformedMessageException(name + ": unreadable message: " + e.getMessage(), e);
        }
    }

    /** Fails naming the first non-{@link Nullable} component that is absent or null, recursing into records. */
    private static void checkRequired(String name, Class<?> type, JsonNode node, String prefix) {
        for (RecordComponent c : type.getRecordComponents()) {
            com.fasterxml.jackson.annotation.JsonProperty named =
                    c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            String field = named == null ? NAMING.translate(c.getName()) : named.value();
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                if (!c.isAnnotationPresent(Nullable.class)) {
                    throw new MalformedMessageException(name + ": missing required field '" + prefix + field + "'");
                }
                continue;
            }
            Class<?> ct = c.getType();
            if (ct.isRecord()) {
                requireObject(name, value, prefix + field);
                checkRequired(name, ct, value, prefix + field + ".");
            } else if (Map.class.isAssignableFrom(ct) && recordArgument(c.getGenericType(), 1) != null && value.isObject()) {
                Class<?> vt = recordArgument(c.getGenericType(), 1);
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String path = prefix + field + "." + e.getKey();
                    requireObject(name, e.getValue(), path);
                    checkRequired(name, vt, e.getValue(), path + ".");
                }
            }
        }
    }

    private static void requireObject(String name, JsonNode value, String field) {
        if (!value.isObject()) {
            throw new MalformedMessageException(name + ": field '" + field + "' must be a JSON object, found "
                    + value.getNodeType().toString().toLowerCase());
        }
    }

    private static Class<?> recordArgument(Type generic, int index) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments().length > index
                && p.getActualTypeArguments()[index] instanceof Class<?> k && k.isRecord()) {
            return k;
        }
        return null;
    }

    private static String path(JsonMappingException e) {
        StringBuilder s = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (s.length() > 0) {
                    s.append('.');
                }
                s.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    private static String path(JsonProcessingException e) {
        return e instanceof JsonMappingException m ? path(m) : "";
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static <X extends Throwable> X findCause(Throwable t, Class<X> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)) {
                return kind.cast(c);
            }
        }
        return null;
    }
}
