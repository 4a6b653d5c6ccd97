package org.hamkafka.service;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spans a consumer hangs under the trace context its producer wrote into the record's headers. */
class TracingTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PRODUCER_SPAN = "b7ad6b7169203331";

    private final List<SpanData> exported = new ArrayList<>();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    exported.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build();
    private final Tracing tracing = new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build());

    @AfterEach
    void close() {
        provider.close();
    }

    private static ConsumerRecord<String, byte[]> record(long timestamp, String traceparent) {
        RecordHeaders headers = new RecordHeaders();
        if (traceparent != null) {
            headers.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("ham.attack.requests", 0, 7, timestamp, TimestampType.CREATE_TIME, 0, 0, "k",
                new byte[0], headers, Optional.empty());
    }

    @Test
    void spansOfARecordJoinTheTraceItsProducerSent() {
        long sentAt = System.currentTimeMillis() - 250;
        ConsumerRecord<String, byte[]> r = record(sentAt, "00-" + TRACE + "-" + PRODUCER_SPAN + "-01");
        Context trace = tracing.sentWith(r);
        tracing.transit(trace, r);
        int answer = tracing.span(Tracing.DECODE, trace, () -> 42);

        assertEquals(42, answer);
        assertEquals(List.of(Tracing.TRANSIT, Tracing.DECODE), exported.stream().map(SpanData::getName).toList());
        for (SpanData s : exported) {
            assertEquals(TRACE, s.getTraceId(), s.getName());
            assertEquals(PRODUCER_SPAN, s.getParentSpanId(), s.getName() + " hangs under the producer's span");
        }
        SpanData transit = exported.get(0);
        assertEquals(sentAt * 1_000_000L, transit.getStartEpochNanos(), "transit starts at the record's timestamp");
        assertTrue(transit.getEndEpochNanos() - transit.getStartEpochNanos() >= 250_000_000L,
                "and ends when the consumer takes it up, at least 250 ms later");
        assertEquals("ham.attack.requests", transit.getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals("messaging.destination.name")).findFirst().orElseThrow()
                .getValue());
    }

    @Test
    void aRecordWithoutTraceContextStartsATraceOfItsOwnAndOneWithoutTimestampHasNoTransit() {
        ConsumerRecord<String, byte[]> r = record(-1, null);
        Context trace = tracing.sentWith(r);
        assertFalse(Span.fromContext(trace).getSpanContext().isValid());
        tracing.transit(trace, r);
        tracing.span(Tracing.DECODE, trace, () -> null);
        assertEquals(1, exported.size(), "no transit without a producer's timestamp");
        assertFalse(exported.get(0).getParentSpanContext().isValid(), "a root span");
    }

    @Test
    void aFailureInsideASpanIsRecordedOnItAndPassedOn() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tracing.span(Tracing.ATTACK,
                Context.root(), () -> {
                    throw new IllegalStateException("engine failure");
                }));
        assertEquals("engine failure", e.getMessage());
        assertEquals(1, exported.size(), "the span ended all the same");
        assertEquals("exception", exported.get(0).getEvents().get(0).getName());
    }
}
