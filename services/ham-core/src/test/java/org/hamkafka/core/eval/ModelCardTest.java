package org.hamkafka.core.eval;

import org.hamkafka.core.train.TrainConfig;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCardTest {
    static final List<String> CLASSES = List.of("a", "b");

    /** Confusion rows of 10 examples per class with {@code right} of them correct. */
    static long[][] confusion(int rightA, int rightB) {
        return new long[][]{{rightA, 10 - rightA}, {10 - rightB, rightB}};
    }

    static ClassWiseReport report(boolean withAutoAttack) {
        return report(withAutoAttack ? "standard" : null);
    }

    /** PGD-20, and AutoAttack under {@code preset} unless null. */
    static ClassWiseReport report(String preset) {
        boolean withAutoAttack = preset != null;
        String aa = "autoattack-" + preset;
        Map<String, long[][]> robust = new LinkedHashMap<>();
        Map<String, ClassWiseReport.AttackInfo> info = new LinkedHashMap<>();
        robust.put("pgd-20", confusion(6, 4));
        info.put("pgd-20", new ClassWiseReport.AttackInfo(Map.of("steps", 20), List.of(), 420, 400, 1.0));
        if (withAutoAttack) {
            robust.put(aa + ":apgd-ce", confusion(5, 3));
            robust.put(aa, confusion(5, 2));
            robust.put(ClassWiseReport.WORST_CASE, confusion(5, 2));
            boolean four = preset.equals("standard");
            info.put(aa, new ClassWiseReport.AttackInfo(Map.of("preset", preset, "square_queries", four ? 5000 : 0),
                    four ? List.of("apgd-ce", "apgd-t", "fab-t", "square") : List.of("apgd-ce", "apgd-t"), 900, 880, 3.0));
        }
        return new ClassWiseReport(CLASSES, confusion(9, 8), robust, info);
    }

    @Test
    void robustBenchFieldsAsPercentStringsAndTheClassWiseExtension() {
        ModelCard c = ModelCard.of(new ModelCard.Subject("job/epoch-3", "fashion-mnist", "tiny-cnn", "ham", "LINF", 0.1f),
                report(true));
        // clean (0.9 + 0.8)/2 = 85 %; PGD-20 (0.6 + 0.4)/2 = 50 %; AutoAttack (0.5 + 0.2)/2 = 35 %
        assertEquals("85.00", c.cleanAcc());
        assertEquals("50.00", c.reported());
        assertEquals("35.00", c.autoattackAcc());
        assertEquals("Linf", c.threatModel());
        assertEquals("0.1", c.eps());
        assertEquals(1, c.numberForwardPasses());
        assertTrue(c.footnote().contains("autoattack-standard"), c.footnote());
        assertEquals("worst-case", c.classWise().headline());
        assertEquals("b", c.classWise().worstClass());
        assertEquals(0.2, c.classWise().worstClassRobustAcc(), 1e-12);
        // std of {0.5, 0.2} = 0.15, nstd = 0.15 / 0.35
        assertEquals(0.15 / 0.35, c.classWise().robustNstd(), 1e-12);
        assertArrayEquals(new double[]{0.5, 0.3}, c.classWise().robust().get("autoattack-standard:apgd-ce"), 1e-12);
        // and it reads back as written
        ModelCard back = ModelCard.fromJson(c.toJson());
        assertEquals(c.autoattackAcc(), back.autoattackAcc());
        assertEquals(c.classWise().worstClass(), back.classWise().worstClass());
        assertTrue(c.toJson().contains("\"autoattack_acc\"") && c.toJson().contains("\"class_wise\""));
    }

    /** Only the standard version fills autoattack_acc: the APGD part or the CI-sized preset leave it null, said why. */
    @Test
    void autoattackAccComesOnlyFromTheStandardVersion() {
        for (String preset : new String[]{"apgd", "fast"}) {
            ModelCard c = ModelCard.of(new ModelCard.Subject("m", "fashion-mnist", "tiny-cnn", "ham", "LINF", 0.1f),
                    report(preset));
            assertNull(c.autoattackAcc(), preset);
            assertTrue(c.footnote().startsWith("autoattack_acc is null: autoattack-" + preset), c.footnote());
            assertArrayEquals(new double[]{0.5, 0.2}, c.classWise().robust().get("autoattack-" + preset), 1e-12);
        }
    }

    /**
     * A card written when {@code autoattack-standard} was the APGD part alone (its settings without Square's
     * queries, autoattack_acc from it, the footnote the old code wrote) reads back as the APGD part's: names,
     * keys and preset renamed, the numbers kept, autoattack_acc null and the footnote saying why.
     */
    @Test
    void aCardFromWhenStandardMeantTheApgdPartReadsBackAsTheApgdPart() throws Exception {
        ModelCard now = ModelCard.of(new ModelCard.Subject("job/epoch-3", "fashion-mnist", "tiny-cnn", "ham", "LINF",
                0.1f), report(true));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode old =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(now.toJson());
        com.fasterxml.jackson.databind.node.ObjectNode aa = (com.fasterxml.jackson.databind.node.ObjectNode)
                old.path("class_wise").path("attacks").path("autoattack-standard");
        ((com.fasterxml.jackson.databind.node.ObjectNode) aa.path("settings")).remove("square_queries");
        aa.set("stages", json.valueToTree(List.of("apgd-ce", "apgd-t")));
        old.put("footnote", "AutoAttack preset 'autoattack-standard' {preset=standard} on 20 test examples; "
                + "class-wise numbers under class_wise.");
        assertEquals("35.00", old.path("autoattack_acc").asText(), "as the old code wrote it");

        ModelCard back = ModelCard.fromJson(json.writeValueAsString(old));
        assertNull(back.autoattackAcc());
        assertTrue(back.footnote().startsWith("autoattack_acc is null: autoattack-apgd ran, not AutoAttack's "
                + "standard version (the card was written when autoattack-standard named the APGD part alone)"),
                back.footnote());
        assertEquals(java.util.Set.of("pgd-20", "autoattack-apgd:apgd-ce", "autoattack-apgd", "worst-case"),
                back.classWise().robust().keySet());
        assertArrayEquals(new double[]{0.5, 0.2}, back.classWise().robust().get("autoattack-apgd"), 1e-12);
        assertEquals("apgd", back.classWise().attacks().get("autoattack-apgd").settings().get("preset"));
        assertEquals("worst-case", back.classWise().headline());
        assertEquals("50.00", back.reported());
        assertTrue(!back.toJson().replace(back.footnote(), "").contains("autoattack-standard"), "only the footnote "
                + "names the old meaning: " + back.toJson());
        // the card written today reads back as it was written
        assertEquals(now.toJson(), ModelCard.fromJson(now.toJson()).toJson());
    }

    /** A card from before autoattack_acc was the standard version's only, with the CI-sized preset's number in it. */
    @Test
    void aCardWithTheFastPresetsNumberAsAutoattackAccReadsBackWithoutIt() throws Exception {
        ModelCard fast = ModelCard.of(new ModelCard.Subject("m", "fashion-mnist", "tiny-cnn", "ham", "LINF", 0.1f),
                report("fast"));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode old =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(fast.toJson());
        old.put("autoattack_acc", "35.00");
        ModelCard back = ModelCard.fromJson(json.writeValueAsString(old));
        assertNull(back.autoattackAcc());
        assertEquals("autoattack_acc is null: autoattack-fast ran, not AutoAttack's standard version; its numbers are "
                + "under class_wise.", back.footnote());
        assertArrayEquals(new double[]{0.5, 0.2}, back.classWise().robust().get("autoattack-fast"), 1e-12);
    }

    @Test
    void aCardWithoutAutoAttackSaysSo() {
        ModelCard c = ModelCard.of(new ModelCard.Subject("m", "fashion-mnist", "linear", "pgd-at", "LINF", 0.1f),
                report(false));
        assertNull(c.autoattackAcc());
        assertTrue(c.footnote().startsWith("Not evaluated with AutoAttack"), c.footnote());
        assertEquals("pgd-20", c.classWise().headline());
        assertTrue(!c.toJson().contains("\"autoattack_acc\""), "left out, as RobustBench leaves out what it lacks");
    }

    /**
     * Every setting but the machine's is on the card ({@link ModelCard#ON_CARD}, read back from its JSON here) or
     * in the report.json beside it (ReportTest).
     */
    @Test
    void theCardCarriesItsSettingsAndTheReportTheRest() {
        TrainConfig cfg = ReportTest.everySettingChanged();
        ModelCard c = ModelCard.fromJson(ModelCard.of(ModelCard.Subject.of("run", cfg), ReportTest.sampleEval()).toJson());
        java.util.Map<String, Object> all = org.hamkafka.core.train.SettingPaths.of(cfg);
        java.util.Set<String> nowhere = new java.util.TreeSet<>(all.keySet());
        nowhere.removeAll(ModelCard.ON_CARD);
        nowhere.retainAll(Report.NOT_IN_REPORT);
        assertEquals(java.util.Set.of("runtime.dataDir", "runtime.device"), nowhere,
                "only the machine's settings are on neither the card nor the report");
        assertTrue(all.keySet().containsAll(ModelCard.ON_CARD), "declared settings TrainConfig does not have");
        assertEquals(cfg.dataset(), c.dataset());
        assertEquals(cfg.model(), c.architecture());
        assertEquals(cfg.method(), c.classWise().method());
        assertEquals("L2", c.threatModel());
        assertEquals("0.5", c.eps());
    }

    /** eps as RobustBench writes it: k/255 where eps is a whole number of 255ths, else the plain decimal. */
    @Test
    void epsIsWrittenAsRobustBenchWritesIt() {
        assertEquals("8/255", ModelCard.epsAsRobustBench(8f / 255f));
        assertEquals("2/255", ModelCard.epsAsRobustBench(2f / 255f));
        assertEquals("4/255", ModelCard.epsAsRobustBench(0.015686275f));
        assertEquals("0.1", ModelCard.epsAsRobustBench(0.1f));
        assertEquals("0.5", ModelCard.epsAsRobustBench(0.5f));
        assertEquals("0.031", ModelCard.epsAsRobustBench(0.031f), "near 8/255 but not it");
        assertEquals("1/255", ModelCard.epsAsRobustBench(1f / 255f));
    }

    /** The leaderboard export holds RobustBench's model_info fields, in order, and nothing of ours. */
    @Test
    void theRobustBenchExportHoldsExactlyTheModelInfoFields() throws Exception {
        ModelCard c = ModelCard.of(new ModelCard.Subject("m", "fashion-mnist", "tiny-cnn", "ham", "LINF", 8 / 255f),
                report(true));
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(c.robustBenchJson());
        List<String> keys = new java.util.ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        assertEquals(ModelCard.MODEL_INFO_FIELDS, keys);
        assertEquals("8/255", j.get("eps").asText());
        assertEquals("35.00", j.get("autoattack_acc").asText());
        assertEquals("85.00", j.get("clean_acc").asText());
        assertTrue(j.get("link").isNull());
        ModelCard apgdOnly = ModelCard.of(new ModelCard.Subject("m", "fashion-mnist", "tiny-cnn", "ham", "LINF", 0.1f),
                report("apgd"));
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(apgdOnly.robustBenchJson())
                .get("autoattack_acc").isNull(), "no standard version, no AutoAttack number");
    }

    @Test
    void sanityWarningsAreAppendedToTheFootnote() {
        ModelCard.Subject subject = new ModelCard.Subject("job/epoch-3", "fashion-mnist", "tiny-cnn", "ham", "LINF", 0.1f);
        ClassWiseReport r = report(true);
        assertTrue(!ModelCard.of(subject, r).footnote().contains("Sanity"));
        String w = "sanity check 'zero-gradients': 3 of 10 examples (share 0.300, threshold 0.0) have ...";
        ClassWiseReport warned = new ClassWiseReport(r.classNames(), r.cleanConfusion(), r.robustConfusion(),
                r.attackInfo(), r.overConfident(), List.of(w));
        String footnote = ModelCard.fromJson(ModelCard.of(subject, warned).toJson()).footnote();
        assertTrue(footnote.endsWith(" Sanity warnings: " + w), footnote);
    }
}
