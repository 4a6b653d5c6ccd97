package org.hamkafka.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    static Report sample() {
        TrainConfig cfg = TrainConfig.defaults().with(p -> {
            p.method = "pgd-at";
            p.epochs = 3;
        });
        TrainingCost cost = new TrainingCost(3, 12.5, 3000, 3000, 300, 300, 300, 280, 20, 9);
        return Report.of(cfg, sampleEval(), cost);
    }

    static ClassWiseReport sampleEval() {
        List<String> names = List.of("a", "b");
        long[][] clean = {{9, 1}, {2, 8}};
        long[][] pgd = {{6, 4}, {7, 3}};
        long[][] cw = {{5, 5}, {8, 2}};
        ClassWiseReport eval = new ClassWiseReport(names, clean, new java.util.LinkedHashMap<>(
                Map.of("pgd-20", pgd)) {{
            put("cw-20", cw);
        }});
        return eval;
    }

    /** Every setting away from fashion-mnist's defaults (a boundary test sees a dropped one come back as default). */
    static TrainConfig everySettingChanged() {
        TrainConfig c = TrainConfig.defaults("fashion-mnist").with(p -> {
            p.dataset = "cifar10";
            p.trainSubset = 1000;
            p.testSubset = 500;
            p.seed = 99L;
            p.validationSize = 300;
            p.model = "tiny-cnn";
            p.method = "ham-trades";
            p.norm = "l2";
            p.eps = 0.5f;
            p.alpha = 0.1f;
            p.steps = 12;
            p.dropStep = 4;
            p.lambda = -2f;
            p.base = 0.5f;
            p.weighting = false;
            p.variationOnLogits = true;
            p.warmupEpochs = 7;
            p.tradesBeta = 2f;
            p.fastAlpha = 0.3f;
            p.classWeights = List.of(1f, 1f, 1f, 1f, 1f, 1f, 2f, 1f, 1f, 1f);
            p.classEps = List.of(0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.25f, 0.5f, 0.5f, 0.5f);
            p.frlRate = 0.1f;
            p.frlBound = 0.2f;
            p.watEta = 0.5f;
            p.epochs = 20;
            p.batchSize = 64;
            p.lr = 0.05f;
            p.momentum = 0.8f;
            p.weightDecay = 1e-4f;
            p.evalAttacks = List.of("pgd-10");
            p.shardsPerBatch = 3;
            p.batchesInFlight = 2;
            p.dataDir = "data-here";
            p.device = "cpu";
        });
        Map<String, Object> defaults = org.hamkafka.core.train.SettingPaths.of(TrainConfig.defaults("fashion-mnist"));
        org.hamkafka.core.train.SettingPaths.of(c).forEach((path, v) -> assertFalse(java.util.Objects.equals(v,
                defaults.get(path)), path + " must differ from its default here: set it above"));
        return c;
    }

    /**
     * The report's settings carry every setting but the machine's ({@link Report#NOT_IN_REPORT}): read back from
     * report.json and resolved, each is what the run had; a setting added later fails here until it is carried
     * or declared left out.
     */
    @Test
    void everySettingButTheMachinesIsInTheReport() {
        TrainConfig cfg = everySettingChanged();
        Report back = Report.fromJson(Report.of(cfg, sampleEval(), null).toJson());
        Map<String, Object> want = org.hamkafka.core.train.SettingPaths.of(cfg);
        Map<String, Object> got = org.hamkafka.core.train.SettingPaths.of(back.settings().resolve());
        for (String path : want.keySet()) {
            if (!Report.NOT_IN_REPORT.contains(path)) {
                assertEquals(want.get(path), got.get(path), path + " lost in report.json");
            }
        }
        assertTrue(want.keySet().containsAll(Report.NOT_IN_REPORT), "declared settings TrainConfig does not have");
        assertNull(back.settings().dataDir);
        assertNull(back.settings().device);
    }

    /**
     * Before version 4 {@code autoattack-standard} was AutoAttack's APGD part alone: such a report reads back as
     * {@code autoattack-apgd} (attack, keys, stages, eval_attacks, preset), never as today's four-attack standard;
     * a version-4 report keeps the name.
     */
    @Test
    void aReportFromBeforeTheFourAttackStandardReadsBackAsTheApgdPart() throws Exception {
        ClassWiseReport eval = new ClassWiseReport(List.of("a", "b"), new long[][]{{9, 1}, {2, 8}},
                new java.util.LinkedHashMap<>(Map.of("autoattack-standard:apgd-ce", new long[][]{{6, 4}, {5, 5}},
                        "autoattack-standard", new long[][]{{5, 5}, {4, 6}})),
                Map.of("autoattack-standard", new ClassWiseReport.AttackInfo(Map.of("preset", "standard"),
                        List.of("apgd-ce", "apgd-t"), 10, 10, 1.0)));
        TrainConfig cfg = TrainConfig.defaults().with(p -> p.evalAttacks = List.of("autoattack"));
        String now = Report.of(cfg, eval, null).toJson();
        assertEquals(Report.VERSION, Report.fromJson(now).reportVersion());
        assertTrue(Report.fromJson(now).robustAccuracyByAttack().containsKey("autoattack-standard"));

        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(now);
        old.put("report_version", 3);
        Report back = Report.fromJson(json.writeValueAsString(old));
        assertEquals("autoattack-apgd", back.attack());
        assertEquals(java.util.Set.of("autoattack-apgd:apgd-ce", "autoattack-apgd"), back.robustAccuracyByAttack().keySet());
        assertEquals(java.util.Set.of("autoattack-apgd"), back.attacks().keySet());
        assertEquals("apgd", back.attacks().get("autoattack-apgd").settings().get("preset"));
        assertEquals(List.of("autoattack-apgd"), back.settings().evalAttacks);
        assertFalse(json.writeValueAsString(back).contains("autoattack-standard"));
    }

    /** When, on what and by which code: the commit the build recorded, "-dirty" for a changed tree. */
    @Test
    void runNamesTimeDeviceAndCodeVersion() throws Exception {
        Report r = Report.fromJson(sample().toJson());
        assertTrue(java.time.Instant.parse(r.run().createdAt()).isBefore(java.time.Instant.now().plusSeconds(1)));
        assertTrue(List.of("cpu", "gpu").contains(r.run().device()), r.run().device());
        String v = r.run().codeVersion();
        assertTrue(v.matches("[0-9a-f]{7,40}(-dirty)?|unknown"), v);
        try (var in = Report.class.getResourceAsStream("/org/hamkafka/core/git.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                assertTrue(v.startsWith(p.getProperty("git.commit.id.abbrev")), v + " vs " + p);
                assertEquals(Boolean.parseBoolean(p.getProperty("git.dirty")), v.endsWith("-dirty"));
            }
        }
        assertTrue(sample().toJson().contains("\"code_version\""), "snake_case like the rest");
    }

    @Test
    void jsonHasTheRequiredFieldsAndRoundTrips(@TempDir Path dir) throws Exception {
        Report r = sample();
        Path file = dir.resolve("report.json");
        r.write(file);
        JsonNode j = new ObjectMapper().readTree(file.toFile());
        for (String field : List.of("dataset", "method", "model", "eps", "attack", "classes", "clean_accuracy",
                "robust_accuracy", "robust_accuracy_by_attack", "training_cost", "settings")) {
            assertTrue(j.has(field), "missing " + field);
        }
        for (String field : List.of("average", "worst", "best", "std", "nstd", "worst_class", "per_class")) {
            assertTrue(j.get("robust_accuracy").has(field), "robust_accuracy lacks " + field);
        }
        assertEquals("pgd-20", j.get("attack").asText());
        assertEquals(0.3, j.get("robust_accuracy").get("worst").asDouble(), 1e-12);   // class b: 3/10
        assertEquals("b", j.get("robust_accuracy").get("worst_class").asText());
        assertEquals(0.35, j.get("robust_accuracy_by_attack").get("cw-20").get("average").asDouble(), 1e-12);
        assertEquals(20, j.get("training_cost").get("examples_dropped").asLong());
        assertEquals(3000, j.get("training_cost").get("attack_forward_rows").asLong());
        assertEquals(3, j.get("settings").get("drop_step").asInt());
        assertEquals(4, j.get("report_version").asInt());

        Report back = Report.read(file);
        assertEquals(r.settings(), back.settings());
        assertEquals(r.trainingCost(), back.trainingCost());
        assertEquals(r.classes(), back.classes());
        assertArrayEquals(r.robustAccuracy().perClass(), back.robustAccuracy().perClass(), 0);
        assertEquals(r.robust("cw-20").worst(), back.robust("cw-20").worst(), 0);
        assertEquals(r.cleanAccuracy().nstd(), back.cleanAccuracy().nstd(), 0);
    }

    @Test
    void aReportWrittenBeforeCpuTimeWasRecordedReadsItAsMissing() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(sample().toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("training_cost")).remove("cpu_seconds");
        Report old = Report.fromJson(json.writeValueAsString(tree));
        assertNull(old.trainingCost().cpuSeconds(), "absent is not measured, not 0 s");
        assertEquals(12.5, old.trainingCost().seconds(), 0);

        tree.set("training_cost", json.readTree(json.writeValueAsString(
                new TrainingCost(3, 12.5, 3000, 3000, 300, 300, 300, 280, 20, 9, 20.25))));
        assertEquals(20.25, Report.fromJson(json.writeValueAsString(tree)).trainingCost().cpuSeconds(), 0);
        assertNull(old.trainingCost().attackSeconds(), "the halves' times are missing too, not 0 s");
        assertNull(old.trainingCost().trainSeconds());
    }

    @Test
    void theTableSplitsTrainingTimeIntoItsHalvesAndTheRest() throws Exception {
        TrainingCost cost = new TrainingCost(3, 12.5, 3000, 3000, 300, 300, 300, 280, 20, 9, 20.25, 8.0, 3.0,
                List.of("CPU A"));
        Report r = Report.of(TrainConfig.defaults(), new ClassWiseReport(List.of("a", "b"),
                new long[][]{{9, 1}, {2, 8}}, Map.of("pgd-20", new long[][]{{6, 4}, {7, 3}})), cost);
        assertEquals(cost, Report.fromJson(r.toJson()).trainingCost());
        String t = ReportTable.format(r);
        // 12.5 s in all = 8.0 s of attacks + 3.0 s of training steps + 1.5 s of the loop's own
        assertTrue(t.contains("attack half 8.0 s, training half 3.0 s, the rest 1.5 s"), t);
        assertFalse(ReportTable.format(sample()).contains("training time:"), "nothing to split when not measured");
    }

    @Test
    void aVersion2ReportsCamelCaseSettingsAreReadInTodaysNames(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(sample().toJson());
        tree.put("report_version", 2);
        tree.set("settings", json.readTree("{\"dataset\":\"fashion-mnist\",\"dropStep\":5,\"warmupEpochs\":2,"
                + "\"evalAttacks\":[\"pgd-20\"],\"dataDir\":null,\"device\":\"cpu\"}"));
        Report old = Report.fromJson(json.writeValueAsString(tree));
        assertEquals(5, old.settings().dropStep);
        assertEquals(2, old.settings().warmupEpochs);
        assertEquals(List.of("pgd-20"), old.settings().evalAttacks);
    }

    @Test
    void tableMarksTheWorstRobustClass() {
        String t = ReportTable.format(sample());
        assertTrue(t.contains("*b"), t);
        assertTrue(t.contains(" a "), t);
        assertTrue(t.contains("pgd-20") && t.contains("cw-20"), t);
        assertTrue(t.contains("0.3000"), t);
    }

    @Test
    void rejectsADocumentThatIsNotAReport() {
        assertThrows(IllegalArgumentException.class, () -> Report.fromJson("{\"hello\": 1}"));
        assertThrows(IllegalArgumentException.class, () -> Report.fromJson("not json"));
    }

    /** The sanity warnings go to report.json and back; a report without them writes no field and reads as none. */
    @Test
    void sanityWarningsRoundTripAndAreAbsentWhenNone() {
        ClassWiseReport base = sampleEval();
        List<String> w = List.of("sanity check 'randomness': two forwards differ (0.2, tolerance 1e-04).");
        ClassWiseReport warned = new ClassWiseReport(base.classNames(), base.cleanConfusion(), base.robustConfusion(),
                base.attackInfo(), base.overConfident(), w);
        TrainConfig cfg = TrainConfig.defaults();
        String json = Report.of(cfg, warned, null).toJson();
        assertTrue(json.contains("\"warnings\""), json);
        assertEquals(w, Report.fromJson(json).warnings());
        String none = Report.of(cfg, base, null).toJson();
        assertFalse(none.contains("\"warnings\""), none);
        assertEquals(List.of(), Report.fromJson(none).warnings());
        assertTrue(ReportTable.format(Report.fromJson(json)).endsWith("warning: " + w.get(0) + "\n"),
                "the table names the warning");
        assertFalse(ReportTable.format(Report.fromJson(none)).contains("warning:"));
    }
}
