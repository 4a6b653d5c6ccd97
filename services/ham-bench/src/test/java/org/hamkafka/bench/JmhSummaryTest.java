package org.hamkafka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Models;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhSummaryTest {
    // the shape of a JMH 1.37 JSON result (only the fields read), with round numbers
    private static final String JMH = """
            [
              {"benchmark": "org.hamkafka.bench.MatmulBenchmark.matMul", "params": {"n": "1000"},
               "primaryMetric": {"score": 50.0, "scoreError": 1.0, "scoreUnit": "ops/s"}, "secondaryMetrics": {}},
              {"benchmark": "org.hamkafka.bench.MatmulBenchmark.matMul", "params": {"n": "500"},
               "primaryMetric": {"score": 200.0, "scoreError": 1.0, "scoreUnit": "ops/s"}, "secondaryMetrics": {}},
              {"benchmark": "org.hamkafka.bench.AttackBenchmark.earlyDropPgd",
               "params": {"model": "smallcnn", "shape": "fashion-mnist", "eps": "0.1", "labels": "predicted", "seed": "0"},
               "primaryMetric": {"score": 2.0, "scoreError": 0.5, "scoreUnit": "ops/s"},
               "secondaryMetrics": {
                 "examplesIn": {"score": 256.0}, "examplesKept": {"score": 64.0},
                 "forwardRows": {"score": 1000.0}, "backwardRows": {"score": 800.0}}}
            ]""";

    @Test
    void figuresFollowFromTheCountersAndThePeak() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JMH);
        JmhSummary.Summary s = JmhSummary.summarize(json, "test machine", "cmd");
        // 50 × 2·1000³ = 100 GFLOP/s beats 200 × 2·500³ = 50 GFLOP/s
        assertEquals(1e11, s.peakFlopsPerSecond(), 1);
        assertEquals(2, s.matmul().size());
        JmhSummary.AttackRow a = s.attacks().get(0);
        assertEquals("early-drop-pgd-10/3", a.attack());
        assertEquals(2560, a.exampleStepsPerSecond(), 1e-9);
        assertEquals(800, a.gradientRowsPerSecond(), 1e-9);
        assertEquals(0.75, a.dropRate(), 1e-12);
        long flops = Models.flopsPerExample("smallcnn", Datasets.info("fashion-mnist"));
        assertEquals(flops, a.flopsPerExample());
        assertEquals(flops * 1800.0, a.flopsPerSecond(), 1e-3);
        assertEquals(flops * 1800.0 / 1e11, a.fractionOfPeak(), 1e-12);
        String md = JmhSummary.toMarkdown(s);
        assertTrue(md.contains("test machine") && md.contains("`cmd`"), md);
        assertTrue(md.contains("| early-drop-pgd-10/3 | smallcnn | 1×28×28 |"), md);
    }

    @Test
    void notAnArrayIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> JmhSummary.summarize(new ObjectMapper().readTree("{}"), "m", "c"));
    }

    @Test
    void cpuModelIsReadFromCpuinfoLines() {
        assertEquals("AMD EPYC 7B13", MachineInfo.cpuModel(List.of("processor\t: 0", "vendor_id\t: AuthenticAMD",
                "model name\t: AMD EPYC 7B13", "model name\t: other")));
        assertEquals("unknown", MachineInfo.cpuModel(List.of("processor\t: 0")));
        MachineInfo here = MachineInfo.current();
        assertEquals(Runtime.getRuntime().availableProcessors(), here.cores());
        assertTrue(here.describe().contains(here.cores() + " cores"));
    }
}
