package org.hamkafka.core.model;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineReportTest {
    @Test
    void flavorIsReadFromTheFolderDjlLoadedFrom() {
        assertEquals("cpu", EngineReport.flavor("/tmp/.djl.ai/pytorch/2.5.1-20241113-cpu-linux-x86_64"));
        assertEquals("cu124", EngineReport.flavor("/tmp/djl-cache/pytorch/2.5.1-cu124-linux-x86_64"));
        assertEquals("cu124", EngineReport.flavor("/x/2.5.1-cu124-precxx11-linux-x86_64/"));
        assertEquals("unknown", EngineReport.flavor("/opt/libtorch"));
    }

    @Test
    void theTestBuildLoadsTheBundledCpuLibraryAndComputesOnIt() {
        // the default build bundles the CPU library (ham-core's `cpu` profile): a CUDA one here would mean the
        // profiles leaked into each other
        assertEquals("cpu", EngineReport.flavor(EngineReport.loadedLibrary()));
        assertTrue(EngineReport.matmulHolds(Device.cpu()));
    }
}
