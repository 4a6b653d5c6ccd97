package org.hamkafka.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Reads and writes the message records as UTF-8 JSON with snake_case field names. One
 * {@link ObjectMapper}, configured once; thread-safe.
 *
 * <p>Reading checks, in this order: the bytes are one JSON object; {@code schema_version} is present
 * and equals the type's {@link SchemaVersion#of} (else {@link UnsupportedSchemaVersionException}; an older
 * version that is still read, such as {@link EvalResultV1}, is upgraded); every
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

    /** UTF-8 JSON of a message record. */
    public static byte[] toBytes(Versioned message) {
        try {
            return MAPPER.writeValueAsBytes(Require.nonNull(message, "message"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** JSON text of a message record. */
    public static String toJson(Versioned message) {
        return new String(toBytes(message), StandardCharsets.UTF_8);
    }

    /** Reads JSON text; see {@link #fromBytes}. */
    public static <T extends Versioned> T fromJson(String json, Class<T> type) {
        return fromBytes(json == null ? null : json.getBytes(StandardCharsets.UTF_8), type);
    }

    /**
     * Reads a message record from UTF-8 JSON.
     *
     * @throws UnsupportedSchemaVersionException when {@code schema_version} is not the type's {@link SchemaVersion#of}
     * @throws MalformedMessageException         on bad JSON, a missing required field or a wrong type
     */
    public static <T extends Versioned> T fromBytes(byte[] bytes, Class<T> type) {
        String name = type.getSimpleName();
        if (bytes == null || bytes.length == 0) {
            throw new MalformedMessageException(name + ": message is empty");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException(name + ": malformed JSON: " + e.getOriginalMessage()
                    + location(e), e);
        } catch (IOException e) {
            throw new MalformedMessageException(name + ": unreadable message: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedMessageException(name + ": message must be a JSON object, found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        JsonNode version = root.get("schema_version");
        if (version == null || version.isNull()) {
            throw new MalformedMessageException(name + ": missing required field 'schema_version'");
        }
        if (!version.isInt()) {
            throw new MalformedMessageException(name + ": field 'schema_version' must be an integer, found " + version);
        }
        if (type == EvalResult.class && version.intValue() == EvalResultV1.VERSION) {
            return type.cast(read(name, EvalResultV1.class, root).upgrade());
        }
        if (version.intValue() != SchemaVersion.of(type)) {
            throw new UnsupportedSchemaVersionException(name, version.intValue(), SchemaVersion.of(type));
        }
        return read(name, type, root);
    }

    private static <T> T read(String name, Class<T> type, JsonNode root) {
        checkRequired(name, type, root, "");
        try {
            return MAPPER.treeToValue(root, type);
        } catch (JsonProcessingException e) {
            String field = path(e);
            ContractException contract = findCause(e, ContractException.class);
            IllegalArgumentException invalid = findCause(e, IllegalArgumentException.class);
            String why = contract != null ? contract.getMessage()
                    : invalid != null ? invalid.getMessage() : e.getOriginalMessage();
            throw new MalformedMessageException(name + (field.isEmpty() ? "" : ": field '" + field + "'") + ": " + why, e);
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
