package org.hamkafka.contracts;

import java.time.Instant;
import java.util.Base64;

/**
 * A record a consumer could not process, sent to {@code <original_topic>.dlq} (see {@link Topics#dlq}).
 * Keyed like the original record.
 *
 * @param originalTopic   topic the record was read from
 * @param partition       its partition
 * @param offset          its offset
 * @param key             its key (UTF-8), or null
 * @param reason          why it failed, e.g. the message of an {@link UnsupportedSchemaVersionException}
 * @param payloadBase64   the original value bytes, base64
 * @param failedAt        when the consumer gave up
 */
public record DeadLetter(int schemaVersion, String originalTopic, int partition, long offset, @Nullable String key,
                         String reason, String payloadBase64, Instant failedAt) implements Versioned {
    public DeadLetter {
        Require.nonBlank(originalTopic, "original_topic");
        Require.nonBlank(reason, "reason");
        Require.nonNull(payloadBase64, "payload_base64");
        Require.nonNull(failedAt, "failed_at");
    }

    /**
     * The most payload bytes a dead letter carries: their base64 with the rest of the letter stays under Kafka's
     * default 1 MB message limit, so the letter (and its reason) is never refused for its size.
     */
    public static final int MAX_PAYLOAD_BYTES = 512 * 1024;

    /**
     * A dead letter for a record; a payload over {@link #MAX_PAYLOAD_BYTES} keeps its first bytes, and the reason
     * says so, with the full payload's size and sha256 (the original stays at its topic, partition and offset
     * for the topic's retention).
     */
    public static DeadLetter of(String originalTopic, int partition, long offset, String key, String reason,
                                byte[] payload, Instant failedAt) {
        byte[] p = payload == null ? new byte[0] : payload;
        String why = reason;
        if (p.length > MAX_PAYLOAD_BYTES) {
            why = reason + " [payload of " + p.length + " bytes (sha256 " + sha256(p) + ") truncated to its first "
                    + MAX_PAYLOAD_BYTES + " bytes; the original is " + originalTopic + "-" + partition + "@" + offset + "]";
            p = java.util.Arrays.copyOf(p, MAX_PAYLOAD_BYTES);
        }
        return new DeadLetter(SchemaVersion.CURRENT, originalTopic, partition, offset, key, why,
                Base64.getEncoder().encodeToString(p), failedAt);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The original value bytes. */
    public byte[] payload() {
        return Base64.getDecoder().decode(payloadBase64);
    }
}
