package org.hamkafka.core.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU's model name, as /proc/cpuinfo gives it. Times and, on some CPUs, the engine's float results differ from
 * one CPU to another (docs/determinism.md), so a training cost and a report name the CPU they were measured on.
 */
public final class CpuModel {
    /** What a machine without /proc/cpuinfo (or without the line) is called. */
    public static final String UNKNOWN = "unknown";

    private static volatile String current;

    private CpuModel() {
    }

    /** This machine's CPU model name (read once), or {@link #UNKNOWN}. */
    public static String current() {
        String c = current;
        if (c == null) {
            try {
                c = of(Files.readAllLines(Path.of("/proc/cpuinfo")));
            } catch (IOException | RuntimeException e) {
                c = UNKNOWN; // not Linux
            }
            current = c;
        }
        return c;
    }

    /** The "model name" line of a /proc/cpuinfo text, or {@link #UNKNOWN}. */
    public static String of(List<String> cpuinfoLines) {
        for (String line : cpuinfoLines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                return line.substring(colon + 1).trim();
            }
        }
        return UNKNOWN;
    }
}
