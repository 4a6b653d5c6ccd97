package org.hamkafka.local;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for a service's fast-jar in the launcher's own tests: answers {@code /q/health/ready} on
 * QUARKUS_HTTP_HOST:QUARKUS_HTTP_PORT and shows its environment at {@code /env}. FAKE_MODE=exit exits at
 * once with code 3; FAKE_MODE=ignore-term does not exit on SIGTERM (its shutdown hook never returns).
 */
public final class FakeService {
    public static void main(String[] args) throws Exception {
        String mode = System.getenv().getOrDefault("FAKE_MODE", "normal");
        System.out.println("fake service starting, mode " + mode);
        if (mode.equals("exit")) {
            System.out.println("fake service: failing on purpose");
            System.exit(3);
        }
        if (mode.equals("ignore-term")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException ignored) {
                        // keep ignoring
                    }
                }
            }));
        }
        int port = Integer.parseInt(System.getenv("QUARKUS_HTTP_PORT"));
        HttpServer server = HttpServer.create(new InetSocketAddress(System.getenv("QUARKUS_HTTP_HOST"), port), 0);
        server.createContext("/q/health/ready", ex -> reply(ex, "{\"status\":\"UP\"}"));
        server.createContext("/env", ex -> {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, String> e : new TreeMap<>(System.getenv()).entrySet()) {
                if (e.getKey().startsWith("HAM_") || e.getKey().startsWith("KAFKA_") || e.getKey().startsWith("QUARKUS_")) {
                    sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
                }
            }
            reply(ex, sb.toString());
        });
        server.start();
        System.out.println("fake service listening on " + port);
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }
}
