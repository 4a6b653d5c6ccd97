package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortsTest {
    @Test
    void aListeningPortIsTakenAndFreeAgainOnceClosed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
            assertFalse(Ports.isFree(port));
            assertNotEquals(port, Ports.free(List.of(port)));
        }
        assertTrue(Ports.isFree(port));
    }

    @Test
    void freePortsComeFromBelowTheEphemeralRangeAndAvoidTheTakenOnes() {
        int start = Ports.ephemeralRangeStart();
        org.junit.jupiter.api.Assumptions.assumeTrue(start >= 10_100, "no room below an ephemeral range starting at " + start);
        java.util.Random random = new java.util.Random(7);
        java.util.List<Integer> taken = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int p = Ports.free(taken, start, random);
            assertTrue(p < start && p >= Math.max(10_000, start - 12_000), "port " + p + " for range start " + start);
            assertFalse(taken.contains(p));
            taken.add(p);
        }
        // no room below the range: an ephemeral port, still not a taken one
        int p = Ports.free(List.of(), 10_050, random);
        assertTrue(p > 0 && p <= 65535);
    }

    @Test
    void readsThePortOfABootstrapAddress() {
        assertEquals(39123, Ports.portOf("localhost:39123"));
        assertEquals(9092, Ports.portOf("127.0.0.1:9092,127.0.0.1:9093"));
    }
}
