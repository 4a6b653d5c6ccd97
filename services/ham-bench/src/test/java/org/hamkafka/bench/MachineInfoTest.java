package org.hamkafka.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineInfoTest {
    @Test
    void theMallocSettingsOfTheEnvironmentAreNamedInTheHeader() {
        assertEquals("defaults", MachineInfo.malloc(Map.of("PATH", "/bin")));
        // an empty GLIBC_TUNABLES is how scripts/malloc-env.sh is told to leave glibc at its defaults
        assertEquals("defaults", MachineInfo.malloc(Map.of("GLIBC_TUNABLES", "")));
        assertEquals("GLIBC_TUNABLES=glibc.malloc.trim_threshold=1, MALLOC_ARENA_MAX=2",
                MachineInfo.malloc(Map.of("MALLOC_ARENA_MAX", "2", "GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1",
                        "HOME", "/root")));
        // the allocator by its file name (a result file names no machine path), before its settings
        assertEquals("LD_PRELOAD=libjemalloc.so.2, MALLOC_CONF=dirty_decay_ms:-1, GLIBC_TUNABLES=glibc.malloc.top_pad=1",
                MachineInfo.malloc(Map.of("GLIBC_TUNABLES", "glibc.malloc.top_pad=1", "MALLOC_CONF", "dirty_decay_ms:-1",
                        "LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")));
        assertEquals("LD_PRELOAD=a.so b.so", MachineInfo.malloc(Map.of("LD_PRELOAD", "/x/a.so:/y/b.so")));
        MachineInfo m = new MachineInfo(2, "CPU X", 1L << 30, "Linux", "JVM 17", "MALLOC_ARENA_MAX=2");
        assertTrue(m.describe().endsWith(", malloc MALLOC_ARENA_MAX=2"), m.describe());
    }
}
