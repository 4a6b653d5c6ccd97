package org.hamkafka.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The machine a figure was measured on, so every written result says where it came from: logical
 * cores as the JVM sees them, the CPU model from /proc/cpuinfo, total physical memory, the OS and JVM.
 */
public record MachineInfo(int cores, String cpuModel, long totalMemoryBytes, String os, String jvm) {

    public static MachineInfo current() {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), cpuModel(Path.of("/proc/cpuinfo")),
                totalMemory(), System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    /** One line for the head of a result file. */
    public String describe() {
        return String.format(Locale.ROOT, "%d cores (Runtime.availableProcessors), CPU %s, %.1f GiB memory, %s, %s",
                cores, cpuModel, totalMemoryBytes / (1024.0 * 1024 * 1024), os, jvm);
    }

    /** The "model name" line of a /proc/cpuinfo text, or "unknown". */
    static String cpuModel(List<String> cpuinfoLines) {
        for (String line : cpuinfoLines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    private static String cpuModel(Path cpuinfo) {
        try {
            return cpuModel(Files.readAllLines(cpuinfo));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
