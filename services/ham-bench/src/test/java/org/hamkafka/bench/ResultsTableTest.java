package org.hamkafka.bench;

import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTableTest {
    private static final List<String> CLASSES = List.of("a", "b", "c");

    private static Report report(String method, boolean weighting, long seed, double[] clean, double[] pgd,
                                 double seconds, long attackRows) {
        return report(method, weighting, seed, clean, pgd, seconds, null, attackRows);
    }

    private static Report report(String method, boolean weighting, long seed, double[] clean, double[] pgd,
                                 double seconds, Double cpuSeconds, long attackRows) {
        TrainConfig cfg = TrainConfig.defaults().with(p -> {
            p.method = method;
            p.weighting = weighting;
            p.seed = seed;
        });
        FairnessMetrics c = FairnessMetrics.of(clean, CLASSES);
        FairnessMetrics p = FairnessMetrics.of(pgd, CLASSES);
        TrainingCost cost = new TrainingCost(1, seconds, attackRows / 2, attackRows / 2, 0, 0, 0, 0, 0, 0, cpuSeconds);
        return new Report(Report.VERSION, "fashion-mnist", method, "smallcnn", 0.1f, "pgd-20", CLASSES, 300, c, p,
                Map.of("pgd-20", p), Map.of(), cost, PartialConfig.of(cfg), null, null);
    }

    @Test
    void meanAndSampleSdOverSeedsWorstClassNamed() {
        List<Report> rs = List.of(
                report("ham", true, 0, new double[]{0.9, 0.8, 0.7}, new double[]{0.5, 0.4, 0.3}, 100, 190.0, 1000),
                report("ham", true, 1, new double[]{0.9, 0.6, 0.9}, new double[]{0.5, 0.2, 0.5}, 120, 210.0, 2000),
                report("ham", false, 0, new double[]{1, 1, 1}, new double[]{0.6, 0.6, 0.6}, 50, 10),
                report("pgd-at", true, 0, new double[]{0.5, 0.5, 0.5}, new double[]{0.1, 0.2, 0.3}, 200, 390.0, 4000));
        Map<String, List<Report>> g = ResultsTable.group(rs);
        assertEquals(List.of("pgd-at", "ham", "ham-uniform"), List.copyOf(g.keySet()), "order of Variant.ALL");
        String md = ResultsTable.markdown(rs, List.of("pgd-20"), "M", "C", "S");
        // ham: clean avg 80 and 80 -> 80.0 ± 0.0; clean worst 70, 60 -> 65.0 ± 7.1; pgd worst 30, 20 -> 25.0 ± 7.1;
        // worst classes c (seed 0) and b (seed 1); time 110 ± 14; CPU 200 ± 14; rows 1500 ± 707
        assertTrue(md.contains("| ham | 2 | 80.0 ± 0.0 | 65.0 ± 7.1 | 40.0 ± 0.0 | 25.0 ± 7.1 | b (1), c (1) | 110 ± 14 "
                + "| 200 ± 14 | 1,500 ± 707 |"), md);
        assertTrue(md.contains("| ham-uniform | 1 | 100.0 | 100.0 | 60.0 | 60.0 | a | 50 | — | 10 |"), md);
        assertTrue(md.contains("| pgd-at | 1 | 50.0 | 50.0 | 20.0 | 10.0 | a | 200 | 390 | 4,000 |"), md);
        assertTrue(md.contains("Training CPUs (training times compare only on one CPU): not recorded: ham seed 0, "
                + "ham seed 1, ham-uniform seed 0, pgd-at seed 0."), md);
        Report onTwo = withCost(rs.get(0), rs.get(0).trainingCost().on("CPU B").after(
                rs.get(1).trainingCost().on("CPU A")));
        assertTrue(ResultsTable.markdown(List.of(onTwo, withCost(rs.get(1), rs.get(1).trainingCost().on("CPU A"))),
                List.of("pgd-20"), "M", "C", "S").contains("Training CPUs (training times compare only on one CPU): "
                + "CPU A then CPU B: ham seed 0; CPU A: ham seed 1."), "a run resumed on another CPU names both");
        assertTrue(md.contains("PGD-20 avg") && md.contains("Machine: M") && md.contains("Command: `C`"), md);
        // a report written before CPU time was recorded counts as missing, not as 0
        assertEquals("190 (1 of 2)", ResultsTable.cpuSeconds(List.of(rs.get(0), rs.get(2))));
        assertThrows(IllegalArgumentException.class, () -> ResultsTable.markdown(rs, List.of("cw-20"), "M", "C", "S"),
                "a column for an attack the reports lack is an error, not a blank");
    }

    /** A strong evaluation's report: PGD-20 and AutoAttack on a subset, headline their worst case. */
    private static Report strong(String method, long seed, double[] aa) {
        TrainConfig cfg = TrainConfig.defaults().with(p -> {
            p.method = method;
            p.seed = seed;
        });
        FairnessMetrics c = FairnessMetrics.of(new double[]{1, 1, 1}, CLASSES);
        FairnessMetrics a = FairnessMetrics.of(aa, CLASSES);
        Map<String, FairnessMetrics> by = new java.util.LinkedHashMap<>();
        by.put("pgd-20", FairnessMetrics.of(new double[]{0.9, 0.9, 0.9}, CLASSES));
        by.put("autoattack-standard", a);
        by.put("worst-case", a);
        var info = new org.hamkafka.core.eval.ClassWiseReport.AttackInfo(Map.of("preset", "standard"),
                List.of("apgd-ce", "apgd-t"), 1, 1, 1);
        return new Report(Report.VERSION, "fashion-mnist", method, "smallcnn", 0.1f, "worst-case", CLASSES, 30, c, a,
                by, Map.of("autoattack-standard", info), null, PartialConfig.of(cfg), null, null);
    }

    @Test
    void strongColumnsShowAutoAttackAndTheWorstCaseAndSayWhenSeedsAreMissing() {
        List<Report> rs = List.of(
                report("pgd-at", true, 0, new double[]{0.5, 0.5, 0.5}, new double[]{0.1, 0.2, 0.3}, 200, 4000),
                report("pgd-at", true, 1, new double[]{0.5, 0.5, 0.5}, new double[]{0.1, 0.2, 0.3}, 200, 4000),
                report("ham", true, 0, new double[]{0.9, 0.8, 0.7}, new double[]{0.5, 0.4, 0.3}, 100, 1000));
        java.util.ArrayList<Report> ss = new java.util.ArrayList<>(List.of(
                strong("pgd-at", 0, new double[]{0.2, 0.1, 0.3}), strong("pgd-at", 1, new double[]{0.4, 0.1, 0.1})));
        ss.add(null); // ham's strong evaluation has not run yet
        String md = ResultsTable.markdown(rs, List.of("pgd-20"), ss, "M", "C", "S");
        // pgd-at AutoAttack: avg 20.0 and 20.0; worst 10 and 10; worst class b in seed 0, b and c tie (b first) in seed 1;
        // nstd = population sd / mean: sqrt(0.02/3)/0.2 = 0.408 and sqrt(0.06/3)/0.2 = 0.707, mean 0.56, sample sd 0.21
        assertTrue(md.contains("autoattack-standard avg | autoattack-standard worst | strong (worst case) avg"), md);
        assertTrue(md.contains("| pgd-at | 2 | 50.0 ± 0.0 | 50.0 ± 0.0 | 20.0 ± 0.0 | 10.0 ± 0.0 | 20.0 ± 0.0 | 10.0 ± 0.0 "
                + "| 20.0 ± 0.0 | 10.0 ± 0.0 | 0.56 ± 0.21 | b (2) |"), md);
        assertTrue(md.contains("| ham | 1 | 80.0 | 70.0 | 40.0 | 30.0 | (0 of 1 seeds) | | | | |"), md);
    }

    @Test
    void chartAveragesPerClassAndRendersHeadless(@TempDir Path dir) throws Exception {
        List<Report> rs = List.of(
                report("ham", true, 0, new double[]{1, 1, 1}, new double[]{0.5, 0.4, 0.3}, 1, 1),
                report("ham", true, 1, new double[]{1, 1, 1}, new double[]{0.3, 0.2, 0.1}, 1, 1));
        assertArrayEquals(new double[]{0.4, 0.3, 0.2}, PerClassChart.meanPerClass(rs, r -> r.robust("pgd-20")), 1e-12);
        JFreeChart chart = PerClassChart.chart(rs, "pgd-20", "M", "C");
        assertEquals(40.0, chart.getCategoryPlot().getDataset().getValue("ham", "a").doubleValue(), 1e-9);
        Path png = dir.resolve("chart.png");
        PerClassChart.write(chart, png, 400, 300);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(400, img.getWidth());
        assertEquals(300, img.getHeight());
    }

    @Test
    void variantsParseAndLabel() {
        assertEquals(new Variant("ham-uniform", "ham", false), Variant.parse("ham-uniform"));
        assertEquals("ham-uniform", Variant.labelOf(PartialConfig.of(Variant.parse("ham-uniform").apply(TrainConfig.defaults()))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Variant.parse("fat"));
        assertTrue(e.getMessage().contains("ham-uniform"), e.getMessage());
    }

    private static Report withCost(Report r, TrainingCost c) {
        return new Report(r.reportVersion(), r.dataset(), r.method(), r.model(), r.eps(), r.attack(), r.classes(),
                r.testExamples(), r.cleanAccuracy(), r.robustAccuracy(), r.robustAccuracyByAttack(), r.attacks(), c,
                r.settings(), r.run(), r.overConfident(), r.warnings());
    }
}
