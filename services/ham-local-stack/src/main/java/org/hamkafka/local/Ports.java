package org.hamkafka.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/** TCP port checks for the services' HTTP ports. */
public final class Ports {
    private Ports() {
    }

    /**
     * True when a server could listen on {@code port} now: binding it on all interfaces succeeds. Like the
     * services (Vert.x) it binds with SO_REUSEADDR, so connections of a stopped server that linger in
     * TIME_WAIT do not count; a listening socket does.
     */
    public static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A port that was free a moment ago and is not in {@code taken}, chosen below the kernel's ephemeral
     * range: a port is picked before the servers start and bound by its service seconds later, and an
     * ephemeral port (any server's port 0, any client's outgoing connection) could be handed out in between,
     * which made a stack test fail with "Address already in use". Falls back to an ephemeral port.
     */
    public static int free(Collection<Integer> taken) {
        return free(taken, ephemeralRangeStart(), new Random());
    }

    static int free(Collection<Integer> taken, int ephemeralStart, Random random) {
        Set<Integer> avoid = new HashSet<>(taken);
        int high = Math.min(ephemeralStart, 65536);
        int low = Math.max(10_000, high - 12_000);
        for (int attempt = 0; high - low >= 100 && attempt < 200; attempt++) {
            int p = low + random.nextInt(high - low);
            if (!avoid.contains(p) && isFree(p)) {
                return p;
            }
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                int p = s.getLocalPort();
                if (!avoid.contains(p)) {
                    return p;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot find a free TCP port: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("cannot find a free TCP port");
    }

    /** The first port of Linux's ephemeral range (net.ipv4.ip_local_port_range); 32768 where it cannot be read. */
    static int ephemeralRangeStart() {
        try {
            // line by line: Files.readString trusts procfs' reported size and returned only the first byte
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** The port out of a {@code host:port} address such as Kafka's bootstrap servers (first entry). */
    public static int portOf(String hostPort) {
        String first = hostPort.split(",")[0].trim();
        int colon = first.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no port in address '" + hostPort + "'");
        }
        return Integer.parseInt(first.substring(colon + 1));
    }
}
