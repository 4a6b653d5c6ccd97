package org.hamkafka.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hamkafka.bench.BenchMath.RssSample;
import org.junit.jupiter.api.Test;

class BenchMathTest {
    static final long MB = 1024L * 1024L;

    @Test
    void vmRssIsReadInKilobytes() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  204800 kB\nRssAnon:\t 1 kB\n";
        assertEquals(204800L * 1024, BenchMath.vmRssBytes(status));
    }

    @Test
    void missingOrOddVmRssIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchMath.vmRssBytes("Name:\tjava\nState:\tZ (zombie)\n"));
        assertTrue(e.getMessage().contains("no VmRSS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchMath.vmRssBytes("VmRSS:\t 12 MB\n"));
        assertTrue(e.getMessage().contains("VmRSS"), e.getMessage());
    }

    @Test
    void slopeOfALineIsItsGradient() {
        // y = 3x + 2 exactly, and a symmetric wiggle around y = 1 (slope 0)
        assertEquals(3.0, BenchMath.slope(new double[]{0, 1, 2, 5}, new double[]{2, 5, 8, 17}), 1e-12);
        assertEquals(0.0, BenchMath.slope(new double[]{0, 1, 2, 3}, new double[]{1, 2, 2, 1}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> BenchMath.slope(new double[]{1, 1}, new double[]{1, 2}));
        assertThrows(IllegalArgumentException.class, () -> BenchMath.slope(new double[]{1}, new double[]{1}));
    }

    @Test
    void secondHalfSlopeIgnoresTheWarmUp() {
        // a steep warm-up (0..100 batches: +400 MB), then +2 MB every 50 batches = 4 MB per 100 batches
        List<RssSample> s = List.of(new RssSample(0, 100 * MB), new RssSample(50, 300 * MB),
                new RssSample(100, 500 * MB), new RssSample(150, 502 * MB), new RssSample(200, 504 * MB));
        assertEquals(4.0, BenchMath.secondHalfSlopeMbPer100(s), 1e-9);
        assertEquals("flat", BenchMath.verdict(4.0, 5.0));
        assertEquals("growing", BenchMath.verdict(6.0, 5.0));
        assertEquals("shrinking", BenchMath.verdict(-6.0, 5.0));
    }

    @Test
    void committedHeapSumsTheHeapPoolsOnly() {
        String metrics = "# TYPE jvm_memory_committed_bytes gauge\n"
                + "jvm_memory_committed_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1.048576E8\n"
                + "jvm_memory_committed_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2.097152E8\n"
                + "jvm_memory_committed_bytes{area=\"nonheap\",id=\"Metaspace\"} 9.9E7\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 1.0E7\n";
        assertEquals(300L * MB, BenchMath.committedHeapBytes(metrics));
        assertEquals(-1L, BenchMath.committedHeapBytes("ham_attack_examples_total 5.0\n"));
        // RSS 500 MB with 300 MB of committed heap: 200 MB outside the heap
        assertEquals(200.0, new RssSample(0, 500 * MB, 300 * MB).outsideHeapMb(), 1e-9);
        assertTrue(Double.isNaN(new RssSample(0, 500 * MB).outsideHeapMb()));
    }

    @Test
    void stepsPerSecond() {
        assertEquals(2.5, BenchMath.perSecond(10, 4.0), 1e-12);
        assertTrue(Double.isNaN(BenchMath.perSecond(10, 0)));
        assertEquals("n/a", BenchMath.fmt(Double.NaN, 2));
        assertEquals("1.50", BenchMath.fmt(1.5, 2));
    }

    @Test
    void medianOfOddAndEvenCountsAndOfNone() {
        assertEquals(2.0, BenchMath.median(new double[]{3, 1, 2}), 1e-12);
        assertEquals(2.5, BenchMath.median(new double[]{4, 1, 3, 2}), 1e-12);
        assertTrue(Double.isNaN(BenchMath.median(new double[0])));
    }
}
