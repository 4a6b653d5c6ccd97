package org.hamkafka.bench;

import org.hamkafka.core.eval.ClassWiseReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochCurveTest {
    private static final List<String> CLASSES = List.of("a", "b");

    /** Class a: 4 examples, 3 right clean, 1 robust, 2 over-confident; class b: 2 examples, 2 / 2 / 0. */
    private static ClassWiseReport eval() {
        long[][] clean = {{3, 1}, {0, 2}};
        long[][] pgd = {{1, 3}, {0, 2}};
        Map<String, long[][]> robust = new LinkedHashMap<>();
        robust.put("pgd-20", pgd);
        return new ClassWiseReport(CLASSES, clean, robust, Map.of(), Map.of("pgd-20", new long[]{2, 0}));
    }

    @Test
    void pointsAreTheEvaluationsNumbersAndSurviveAWriteAndRead(@TempDir Path dir) {
        EpochCurve c = new EpochCurve("pgd-20", 0, CLASSES, List.of()).plus(1, eval()).plus(2, eval());
        assertEquals(6, c.testExamples());
        EpochCurve.Point p = c.points().get(1);
        assertEquals(2, p.epoch());
        assertEquals((0.75 + 1.0) / 2, p.cleanAverage(), 1e-12);
        assertEquals(0.75, p.cleanWorst(), 1e-12);
        assertEquals((0.25 + 1.0) / 2, p.robustAverage(), 1e-12);
        assertEquals(0.25, p.robustWorst(), 1e-12);
        assertArrayEquals(new double[]{0.5, 0.0}, p.overConfident(), 1e-12);
        assertEquals(0.25, p.overConfidentAverage(), 1e-12);

        Path file = dir.resolve(EpochCurve.FILE);
        assertNull(EpochCurve.read(file), "no curve yet");
        c.write(file);
        EpochCurve back = EpochCurve.read(file);
        assertEquals(2, back.points().size());
        assertArrayEquals(p.overConfident(), back.points().get(1).overConfident(), 0);
        assertEquals(p.robustWorst(), back.points().get(1).robustWorst(), 0);

        assertTrue(PerClassChart.curves(Map.of("pgd-at", List.of(back)), "test machine", "test command")
                .getXYPlot().getDataset().getSeriesCount() == 3, "avg, worst and over-confident per method");
    }

    @Test
    void anAttackWithoutOverConfidenceCountsIsRefusedByName() {
        EpochCurve c = new EpochCurve("autoattack-standard", 0, CLASSES, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.plus(1, eval()));
        assertTrue(e.getMessage().contains("autoattack-standard"), e.getMessage());
    }
}
