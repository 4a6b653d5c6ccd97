package org.hamkafka.core.train;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The determinism contract across processes and kernels (docs/determinism.md), on {@link FixedJob}: another JVM on
 * the same machine trains bit-identical weights; under other convolution kernels (oneDNN capped at SSE4.1, a stand-in
 * for another CPU's kernels) the weights may differ in their rounding, but the model stays near: accuracies within
 * {@link #ACCURACY_TOLERANCE}.
 */
class ProcessDeterminismTest {
    /**
     * Largest accuracy difference allowed between kernels, on FixedJob's 96 images: measured 0 (clean 64.6 %, PGD-20
     * 22.9 % with each) on an AMD EPYC Zen 5 between its AVX-512, AVX2 and SSE4.1 kernels, whose weights all differ;
     * 5 points (5 of the 96 images) leave room for another CPU.
     */
    static final double ACCURACY_TOLERANCE = 0.05;

    @Test
    void anotherProcessTrainsBitIdenticalWeights() throws Exception {
        String here = FixedJob.run();
        assertEquals(here, child(Map.of()), "same seed, same machine, another JVM");
    }

    @Test
    void otherKernelsGiveANearbyModel() throws Exception {
        String[] here = FixedJob.run().split(" ");
        String[] there = child(Map.of("DNNL_MAX_CPU_ISA", "SSE41")).split(" ");
        for (int i = 1; i <= 2; i++) {
            double a = Double.parseDouble(here[i]);
            double b = Double.parseDouble(there[i]);
            assertTrue(Math.abs(a - b) <= ACCURACY_TOLERANCE, (i == 1 ? "clean" : "PGD-20") + " accuracy " + a
                    + " here, " + b + " with SSE4.1 kernels");
        }
        assertTrue(Double.parseDouble(here[1]) > 0.5, "the fixed job learns: clean accuracy " + here[1]);
    }

    /** FixedJob's result line from a child JVM with this test's classpath and the given environment. */
    private static String child(Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), FixedJob.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> l.startsWith("RESULT ")).map(l -> l.substring(7)).findFirst()
                .orElseThrow(() -> new AssertionError("no result from the child JVM: " + out));
    }
}
