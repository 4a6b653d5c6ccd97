package org.hamkafka.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
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

    /** A port that was free a moment ago and is not in {@code taken}. */
    public static int free(Collection<Integer> taken) {
        Set<Integer> avoid = new HashSet<>(taken);
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
