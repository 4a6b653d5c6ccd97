package org.hamkafka.bench;

import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTableTest {
    private static final List<String> CLASSES = List.of("a", "b");

    /** A report whose robust accuracy is {@code avgClass} for class a and {@code worst} for class b. */
    private static Report report(long seed, double avgClass, double worst, long attackRows) {
        TrainConfig cfg = TrainConfig.defaults().with(p -> p.seed = seed);
        FairnessMetrics c = FairnessMetrics.of(new double[]{0.9, 0.8}, CLASSES);
        FairnessMetrics p = FairnessMetrics.of(new double[]{avgClass, worst}, CLASSES);
        TrainingCost cost = new TrainingCost(1, 1, attackRows / 2, attackRows / 2, 0, 0, 0, 0, 0, 0);
        return new Report(Report.VERSION, "fashion-mnist", "ham", "tiny-cnn", 0.1f, "pgd-20", CLASSES, 100, c, p,
                Map.of("pgd-20", p), Map.of(), cost, PartialConfig.of(cfg), null, null);
    }

    @Test
    void pairsBySeedRanksByWorstClassGain() {
        Sweep.Setting a = new Sweep.Setting(3, 0, -3f);
        Sweep.Setting u = new Sweep.Setting(5, 3, Float.NaN);
        List<Report> pgd = List.of(report(0, 0.5, 0.10, 400), report(1, 0.5, 0.20, 400));
        // PGD-AT: avg 30, 35; worst 10, 20
        // a: worst 16, 30 -> Δ +6, +10 (8.0 ± 2.8); avg 33, 40 (36.5 ± 4.9) -> Δ +3, +5 (4.0 ± 1.4)
        List<Report> ra = List.of(report(0, 0.5, 0.16, 300), report(1, 0.5, 0.30, 300));
        // u: worst 4, 20 -> Δ -6, 0 (-3.0 ± 4.2), better in no seed; avg 27, 35 (31.0 ± 5.7) -> Δ -3, 0 (-1.5 ± 2.1)
        List<Report> ru = List.of(report(0, 0.5, 0.04, 200), report(1, 0.5, 0.20, 200));
        List<SweepTable.Row> rows = SweepTable.rows(List.of(u, a), List.of(ru, ra), pgd, "pgd-20");
        assertEquals(a, rows.get(0).setting(), "the larger worst-class gain ranks first");
        assertEquals(8.0, rows.get(0).meanDeltaWorst(), 1e-9);
        assertEquals(2, rows.get(0).better());
        assertEquals(0.75, rows.get(0).rowsRatio(), 1e-12);
        assertEquals(0, rows.get(1).better());
        String md = SweepTable.markdown(List.of(u, a), List.of(ru, ra), pgd, "pgd-20", "M", "C", "S");
        assertTrue(md.contains("| 3 | 0 | tanh λ=-3 | 36.5 ± 4.9 | 23.0 ± 9.9 | +4.0 ± 1.4 | +8.0 ± 2.8 | 2/2 | 80.0 ± 0.0 "
                + "| b (2) | 0.75 |"), md);
        assertTrue(md.contains("| 5 | 3 | uniform | 31.0 ± 5.7 | 12.0 ± 11.3 | -1.5 ± 2.1 | -3.0 ± 4.2 | 0/2 |"), md);
        assertTrue(md.indexOf("tanh λ=-3") < md.indexOf("uniform"), md);
        assertTrue(md.contains("| – | – | PGD-AT | 32.5 ± 3.5 | 15.0 ± 7.1 |"), md);
    }

    @Test
    void unpairedSeedsAreAnError() {
        Sweep.Setting a = new Sweep.Setting(3, 0, -1f);
        List<Report> pgd = List.of(report(0, 0.5, 0.1, 1), report(1, 0.5, 0.1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> SweepTable.rows(List.of(a), List.of(List.of(report(0, 0.5, 0.1, 1))), pgd, "pgd-20"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepTable.rows(List.of(a),
                List.of(List.of(report(1, 0.5, 0.1, 1), report(0, 0.5, 0.1, 1))), pgd, "pgd-20"));
        assertTrue(e.getMessage().contains("seed 1 paired with PGD-AT seed 0"), e.getMessage());
    }

    @Test
    void settingsBecomeHamConfigs() {
        TrainConfig base = TrainConfig.defaults().with(p -> {
            p.method = "pgd-at";
            p.lambda = -1f;
        });
        TrainConfig t = new Sweep.Setting(5, 2, -3f).apply(base);
        assertEquals("ham", t.method());
        assertEquals(5, t.ham().dropStep());
        assertEquals(2, t.ham().warmupEpochs());
        assertEquals(-3f, t.ham().lambda());
        assertTrue(t.ham().weighting());
        TrainConfig uni = new Sweep.Setting(1, 0, Float.NaN).apply(base);
        assertFalse(uni.ham().weighting());
        assertEquals("ham-k1-w0-uniform", new Sweep.Setting(1, 0, Float.NaN).label());
        assertEquals("ham-k3-w3-lambda-1.0", new Sweep.Setting(3, 3, -1f).label());
    }
}
