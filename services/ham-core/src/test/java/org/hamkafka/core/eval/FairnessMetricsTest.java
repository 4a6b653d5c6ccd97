package org.hamkafka.core.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FairnessMetricsTest {
    static final List<String> ABC = List.of("a", "b", "c");

    @Test
    void aggregatesOfAKnownConfusionMatrixWorkedByHand() {
        // rows = true class. a: 8/10, b: 5/10, c: 2/4
        long[][] m = {
                {8, 1, 1},
                {3, 5, 2},
                {1, 1, 2}};
        FairnessMetrics f = FairnessMetrics.fromConfusion(m, ABC);
        assertArrayEquals(new double[]{0.8, 0.5, 0.5}, f.perClass(), 1e-12);
        assertEquals(0.6, f.average(), 1e-12);                 // (0.8+0.5+0.5)/3
        assertEquals(0.5, f.worst(), 1e-12);
        assertEquals("b", f.worstClass(), "ties go to the lower class index");
        assertEquals(1, f.worstClassIndex());
        assertEquals(0.8, f.best(), 1e-12);
        assertEquals("a", f.bestClass());
        // deviations 0.2, -0.1, -0.1 -> variance (0.04+0.01+0.01)/3 = 0.02
        assertEquals(Math.sqrt(0.02), f.std(), 1e-12);
        assertEquals(Math.sqrt(0.02) / 0.6, f.nstd(), 1e-12);
    }

    @Test
    void rhoWorkedByHand() {
        // worst 0.20 -> 0.25 is +25 %; average 0.50 -> 0.48 costs 4 %: rho = 0.25 - 0.04 = 0.21
        assertEquals(0.21, FairnessMetrics.rho(0.25, 0.20, 0.48, 0.50), 1e-12);
        FairnessMetrics base = FairnessMetrics.of(new double[]{0.2, 0.8}, List.of("x", "y"));
        FairnessMetrics cand = FairnessMetrics.of(new double[]{0.25, 0.71}, List.of("x", "y"));
        assertEquals(0.21, cand.rhoAgainst(base), 1e-12);
        assertEquals(0.0, base.rhoAgainst(base), 0.0);
        assertThrows(IllegalArgumentException.class, () -> FairnessMetrics.rho(0.1, 0.0, 0.5, 0.5));
    }

    @Test
    void rejectsEmptyClassesAndMismatchedNames() {
        assertThrows(IllegalArgumentException.class,
                () -> FairnessMetrics.fromConfusion(new long[][]{{1, 0}, {0, 0}}, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> FairnessMetrics.of(new double[]{0.5}, ABC));
    }
}
