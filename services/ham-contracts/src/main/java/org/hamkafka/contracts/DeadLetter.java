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

    public static DeadLetter of(String originalTopic, int partition, long offset, String key, String reason,
                                byte[] payload, Instant failedAt) {
        return new DeadLetter(SchemaVersion.CURRENT, originalTopic, partition, offset, key, reason,
                Base64.getEncoder().encodeToString(payload == null ? new byte[0] : payload), failedAt);
    }

    /** The original value bytes. */
    public byte[] payload() {
        return Base64.getDecoder().decode(payloadBase64);
    }
}
