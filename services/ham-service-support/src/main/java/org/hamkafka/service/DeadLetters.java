package org.hamkafka.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.DeadLetter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes the contracts' {@link DeadLetter} for a consumed record to the service's dead-letter channel
 * ({@code <topic>.dlq}), keyed like the original, with the reason also in the {@code dead-letter-reason}
 * header (the header SmallRye's own dead-letter strategy writes). Not a bean: each consumer wraps the
 * emitter of its own channel, e.g. {@code new DeadLetters(dlqEmitter)}.
 */
public class DeadLetters {
    public static final String REASON_HEADER = "dead-letter-reason";
    private final MutinyEmitter<byte[]> dlq;

    public DeadLetters(MutinyEmitter<byte[]> dlq) {
        this.dlq = Objects.requireNonNull(dlq, "dlq");
    }

    public void send(ConsumerRecord<String, byte[]> record, String reason) {
        DeadLetter letter = DeadLetter.of(record.topic(), record.partition(), record.offset(), record.key(), reason,
                record.value(), Instant.now());
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        var meta = OutgoingKafkaRecordMetadata.<String>builder().withHeaders(headers);
        if (record.key() != null) {
            meta.withKey(record.key());
        }
        dlq.sendMessageAndAwait(Message.of(Codec.toBytes(letter)).addMetadata(meta.build()));
    }
}
