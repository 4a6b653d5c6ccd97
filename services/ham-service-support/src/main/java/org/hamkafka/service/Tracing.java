package org.hamkafka.service;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.reactive.messaging.TracingMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The spans of a job's path through the services, named by role. A job step is one trace: the trainer's
 * {@link #STEP} span is its root; the attack request carries its context to the worker in the record's
 * {@code traceparent} header (SmallRye's Kafka connector writes it from the message's {@link TracingMetadata}),
 * the worker's spans hang under it and the result carries it back; the epoch's checkpoint announcement takes
 * the last step's context on to eval-service. With the SDK disabled (the default, see
 * microprofile-config.properties) every span is a no-op and no header is written.
 */
@ApplicationScoped
public class Tracing {
    /** A job step in the trainer: from its requests going out to its training half done. */
    public static final String STEP = "step";
    /** A message's body written ({@code Codec.toBytes}). */
    public static final String ENCODE = "encode";
    /** A record from its producer's send (the record's timestamp) to its consumer taking it up. */
    public static final String TRANSIT = "transit";
    /** A message's body read ({@code Codec.fromBytes}). */
    public static final String DECODE = "decode";
    /** The trainer waiting for a step's attack results. */
    public static final String AWAIT_RESULTS = "await attack results";
    /** A worker waiting for the announcement of the snapshot a request names. */
    public static final String AWAIT_SNAPSHOT = "await snapshot";
    /** A worker's attack half of a shard, its snapshot's load included. */
    public static final String ATTACK = "attack";
    /** The trainer's training half of a step. */
    public static final String TRAIN = "train";
    /** The trainer storing and announcing an epoch's checkpoint. */
    public static final String CHECKPOINT = "checkpoint";
    /** eval-service evaluating a checkpoint. */
    public static final String EVALUATE = "evaluate";

    public static final AttributeKey<String> JOB = AttributeKey.stringKey("ham.job_id");
    public static final AttributeKey<Long> STEP_INDEX = AttributeKey.longKey("ham.step");
    public static final AttributeKey<Long> SHARD = AttributeKey.longKey("ham.shard");
    public static final AttributeKey<Long> EPOCH = AttributeKey.longKey("ham.epoch");

    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header h = headers == null ? null : headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private final OpenTelemetry otel;
    private final Tracer tracer;

    public Tracing(OpenTelemetry otel) {
        this.otel = otel;
        this.tracer = otel.getTracer("org.hamkafka");
    }

    /** What its producer sent with {@code record} (its {@code traceparent} header), or the root context if nothing. */
    public Context sentWith(ConsumerRecord<?, ?> record) {
        return otel.getPropagators().getTextMapPropagator().extract(Context.root(), record.headers(), HEADERS);
    }

    /**
     * The record's way from its producer to here, as a {@link #TRANSIT} span from the record's timestamp (when
     * the producer sent it, in ms; across machines only as good as their clocks agree) to now.
     */
    public void transit(Context parent, ConsumerRecord<?, ?> record) {
        if (record.timestamp() < 0) {
            return;
        }
        Span s = tracer.spanBuilder(TRANSIT).setParent(parent)
                .setStartTimestamp(record.timestamp(), TimeUnit.MILLISECONDS).startSpan();
        s.setAttribute("messaging.destination.name", record.topic());
        s.end();
    }

    /** A span named {@code name} under {@code parent}, started now; the caller ends it. */
    public Span start(String name, Context parent) {
        return builder(name, parent).startSpan();
    }

    public SpanBuilder builder(String name, Context parent) {
        return tracer.spanBuilder(name).setParent(parent);
    }

    /** {@code work} inside a span named {@code name} under {@code parent}. */
    public <T> T span(String name, Context parent, Supplier<T> work) {
        Span s = start(name, parent);
        try {
            return work.get();
        } catch (RuntimeException | Error e) {
            s.recordException(e);
            throw e;
        } finally {
            s.end();
        }
    }

    /** {@code m}, sent under {@code context}: the connector's publish span and the record's headers carry it. */
    public static <T> Message<T> under(Context context, Message<T> m) {
        return m.addMetadata(TracingMetadata.withCurrent(context));
    }
}
