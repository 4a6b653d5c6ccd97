package org.hamkafka.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Where a stack's services send their traces: an OTLP/HTTP receiver (protobuf) on the loopback interface that
 * keeps every span in memory, for the tests and the distributed bench to read. Not a trace viewer: for that,
 * point the services at an OpenTelemetry collector or Jaeger (README, "Traces").
 */
public final class TraceCollector implements AutoCloseable {
    /** One span as exported: ids in lower-case hex, {@code parentSpanId} null for a root, times in Unix ns. */
    public record CollectedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
                                long startNanos, long endNanos, Map<String, String> attributes) {
        public double millis() {
            return (endNanos - startNanos) / 1e6;
        }

        public String attribute(String key) {
            return attributes.get(key);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<CollectedSpan> spans = new ArrayList<>();

    private TraceCollector(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A collector on a free loopback port, receiving. */
    public static TraceCollector start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TraceCollector c = new TraceCollector(server, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "trace-collector");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", c::export);
        server.setExecutor(c.executor);
        server.start();
        return c;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * The environment that switches a service's tracing on and points it here (OTLP/HTTP), exporting a batch
     * every {@code 200 ms} rather than every 5 s so that a short job's spans arrive while it is looked at.
     */
    public Map<String, String> serviceEnv() {
        return Map.of("QUARKUS_OTEL_SDK_DISABLED", "false",
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint(),
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
    }

    /** Every span received so far, in the order they came. */
    public synchronized List<CollectedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The spans received so far that {@code which} accepts. */
    public List<CollectedSpan> spans(Predicate<CollectedSpan> which) {
        return spans().stream().filter(which).toList();
    }

    private void export(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(ex.getRequestBody()) : ex.getRequestBody()) {
                request = ExportTraceServiceRequest.parseFrom(body);
            } catch (IOException e) {
                byte[] why = ("not an OTLP ExportTraceServiceRequest: " + e.getMessage()).getBytes();
                ex.sendResponseHeaders(400, why.length);
                ex.getResponseBody().write(why);
                return;
            }
            add(request);
            byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(ok);
            }
        }
    }

    private synchronized void add(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = strings(rs.getResource().getAttributesList()).getOrDefault("service.name", "");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                    String parent = s.getParentSpanId().isEmpty() ? null : hex.formatHex(s.getParentSpanId().toByteArray());
                    spans.add(new CollectedSpan(service, hex.formatHex(s.getTraceId().toByteArray()),
                            hex.formatHex(s.getSpanId().toByteArray()), parent, s.getName(),
                            s.getStartTimeUnixNano(), s.getEndTimeUnixNano(), strings(s.getAttributesList())));
                }
            }
        }
    }

    private static Map<String, String> strings(List<KeyValue> attributes) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : attributes) {
            AnyValue v = kv.getValue();
            out.put(kv.getKey(), switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> String.valueOf(v.getIntValue());
                case DOUBLE_VALUE -> String.valueOf(v.getDoubleValue());
                case BOOL_VALUE -> String.valueOf(v.getBoolValue());
                default -> v.toString();
            });
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
