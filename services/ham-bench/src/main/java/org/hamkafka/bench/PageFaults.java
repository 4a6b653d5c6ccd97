package org.hamkafka.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Minor page faults of this process so far (Linux, {@code /proc/self/stat}): each is a page the kernel had to
 * hand out afresh, which is how memory that the allocator gave back and then asked for again shows (§3d of
 * docs/benchmarks.md).
 */
final class PageFaults {
    private PageFaults() {
    }

    /** The process' minor faults so far, or -1 where /proc/self/stat cannot be read (not Linux). */
    static long minor() {
        try {
            return minorFaults(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Field 10 (minflt) of a proc(5) stat line. The command name in field 2 is in parentheses and may itself
     * hold spaces and parentheses, so the fields are counted from the last ')'.
     */
    static long minorFaults(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: no ')' after the command name");
        }
        // after ") ": state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10)
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        if (fields.length < 8) {
            throw new IllegalArgumentException(
                    "not a /proc/<pid>/stat line: " + fields.length + " fields after the name");
        }
        return Long.parseLong(fields[7]);
    }
}
