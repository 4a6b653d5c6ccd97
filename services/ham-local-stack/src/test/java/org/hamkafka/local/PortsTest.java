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
    void readsThePortOfABootstrapAddress() {
        assertEquals(39123, Ports.portOf("localhost:39123"));
        assertEquals(9092, Ports.portOf("127.0.0.1:9092,127.0.0.1:9093"));
    }
}
