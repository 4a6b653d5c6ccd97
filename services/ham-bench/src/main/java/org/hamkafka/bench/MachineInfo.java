package org.hamkafka.bench;

import org.hamkafka.core.model.CpuModel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine a figure was measured on, so every written result says where it came from: logical
 * cores as the JVM sees them, the CPU model from /proc/cpuinfo, total physical memory, the OS and JVM, and
 * the malloc settings of the environment (they move PyTorch's CPU times: benchmarks §3d).
 */
public record MachineInfo(int cores, String cpuModel, long totalMemoryBytes, String os, String jvm, String malloc) {
    /** The environment variables that choose the allocator (LD_PRELOAD) and tune glibc's malloc or jemalloc. */
    private static final List<String> MALLOC_VARIABLES = List.of("LD_PRELOAD", "MALLOC_CONF", "GLIBC_TUNABLES",
            "MALLOC_ARENA_MAX");

    public static MachineInfo current() {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), CpuModel.current(),
                totalMemory(), System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), malloc(System.getenv()));
    }

    /** One line for the head of a result file. */
    public String describe() {
        return String.format(Locale.ROOT,
                "%d cores (Runtime.availableProcessors), CPU %s, %.1f GiB memory, %s, %s, malloc %s",
                cores, cpuModel, totalMemoryBytes / (1024.0 * 1024 * 1024), os, jvm, malloc);
    }

    /**
     * The malloc variables set (not empty) in {@code env}, as NAME=value joined by ", " (LD_PRELOAD by its libraries'
     * file names, not their paths); "defaults" when none is.
     */
    static String malloc(Map<String, String> env) {
        String set = MALLOC_VARIABLES.stream().filter(k -> env.get(k) != null && !env.get(k).isEmpty())
                .map(k -> k + "=" + (k.equals("LD_PRELOAD") ? fileNames(env.get(k)) : env.get(k)))
                .collect(java.util.stream.Collectors.joining(", "));
        return set.isEmpty() ? "defaults" : set;
    }

    /** "/usr/lib/x/libjemalloc.so.2 /b/c.so" -> "libjemalloc.so.2 c.so" (ld.so splits the list at spaces and colons). */
    private static String fileNames(String preload) {
        return java.util.Arrays.stream(preload.trim().split("[\\s:]+")).map(p -> p.substring(p.lastIndexOf('/') + 1))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    /** The "model name" line of a /proc/cpuinfo text, or "unknown". */
    static String cpuModel(List<String> cpuinfoLines) {
        return CpuModel.of(cpuinfoLines);
    }

    /** "cpu family F, avx512f yes|no" from /proc/cpuinfo (the engine's kernels differ by both), or "cpu unknown". */
    static String cpuFamilyAndIsa() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            String family = lines.stream().filter(l -> l.startsWith("cpu family")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            boolean avx512 = lines.stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> (l + " ").contains(" avx512f ")).orElse(false);
            return "cpu family " + family + ", avx512f " + (avx512 ? "yes" : "no");
        } catch (IOException e) {
            return "cpu unknown";
        }
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
