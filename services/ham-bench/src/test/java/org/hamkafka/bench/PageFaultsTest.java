package org.hamkafka.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageFaultsTest {
    @Test
    void readsMinfltAfterACommandNameWithSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt ...
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 98765 12 3 0 150 20 0 0 20 0 31 0\n";
        assertEquals(98765, PageFaults.minorFaults(stat));
    }

    @Test
    void aLineWithoutTheFieldsIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PageFaults.minorFaults("4242 (java) S 1 2"));
        assertTrue(e.getMessage().contains("fields after the name"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PageFaults.minorFaults("no parenthesis here"));
    }

    @Test
    void aRunningJvmHasFaultedInThousandsOfPages() {
        if (!java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/stat"))) {
            assertEquals(-1, PageFaults.minor(), "where there is no /proc the bench reports -1");
            return;
        }
        // the real file parsed: a JVM's heap, code cache and libraries are faulted in as they are touched
        assertTrue(PageFaults.minor() > 1000, "minflt of this JVM: " + PageFaults.minor());
    }
}
