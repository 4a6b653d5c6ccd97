package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.contracts.SchemaVersion;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Shirt");

    private static EvalResult result(double[] clean, double[] robust, Map<String, ClassAccuracy> other) {
        ClassAccuracy headline = ContractMapping.classAccuracy(CLASSES, robust);
        Map<String, ClassAccuracy> byAttack = new java.util.LinkedHashMap<>();
        byAttack.put("pgd-20", headline);
        if (other != null) {
            byAttack.putAll(other);
        }
        return new EvalResult(SchemaVersion.EVAL_RESULT, "job-1", 0, "jobs/job-1/checkpoints/epoch-1.npz", "ab",
                "fashion-mnist", "ham", "tiny-cnn", 0.1f, "LINF", "pgd-20", CLASSES,
                ContractMapping.classAccuracy(CLASSES, clean), headline, byAttack, Map.of(), 3L, Instant.EPOCH, null);
    }

    @Test
    void tableHasOneRowPerClassMarksTheWorstAndShowsTheAggregates() {
        String table = Report.classWiseTable(result(new double[]{0.9, 0.8, 0.5}, new double[]{0.6, 0.2, 0.4}, null));
        String[] lines = table.split("\n");
        assertTrue(lines[0].contains("clean") && lines[0].contains("robust pgd-20"), lines[0]);
        assertTrue(lines[1].startsWith("T-shirt/top") && lines[1].contains("0.900") && lines[1].contains("0.600"));
        // robust worst: Trouser (0.2); clean worst: Shirt (0.5)
        assertTrue(lines[2].startsWith("Trouser") && lines[2].endsWith("<- worst robust"), lines[2]);
        assertTrue(lines[3].startsWith("Shirt") && lines[3].endsWith("<- worst clean"), lines[3]);
        // averages by hand: clean (0.9+0.8+0.5)/3 = 0.733, robust (0.6+0.2+0.4)/3 = 0.400
        String avg = lines[5];
        assertTrue(avg.startsWith("average") && avg.contains("0.733") && avg.contains("0.400"), avg);
        String worst = lines[6];
        assertTrue(worst.startsWith("worst") && worst.contains("0.500") && worst.contains("0.200"), worst);
        assertEquals(10, lines.length, "header, 3 classes, rule, average, worst, best, std, nstd");
    }

    @Test
    void oneClassWorstInBothIsMarkedOnceWithBoth() {
        String table = Report.classWiseTable(result(new double[]{0.9, 0.3, 0.5}, new double[]{0.6, 0.1, 0.4}, null));
        assertTrue(table.split("\n")[2].endsWith("<- worst robust, worst clean"), table);
    }

    @Test
    void furtherAttacksGetAColumnEach() {
        ClassAccuracy cw = ContractMapping.classAccuracy(CLASSES, new double[]{0.5, 0.1, 0.3});
        String table = Report.classWiseTable(result(new double[]{0.9, 0.8, 0.5}, new double[]{0.6, 0.2, 0.4},
                Map.of("cw-20", cw)));
        assertTrue(table.split("\n")[0].contains("robust cw-20"));
        assertTrue(table.split("\n")[2].contains("0.100"));
    }

    @Test
    void costCountsDroppedExamplesAndPassesPerExample() {
        var cost = new SystemTopics.AttackCost(2, 256, 64, 256 * 4, 1000, 1234);
        var outcome = new JobRun.Outcome(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                result(new double[]{1, 1, 1}, new double[]{1, 1, 1}, null), cost, 12.5);
        String text = Report.cost(outcome);
        assertTrue(text.contains("12.5 s"), text);
        assertTrue(text.contains("dropped examples   192 of 256 (75.0%"), text);
        assertTrue(text.contains("(3.91 backward passes per example)"), text); // 1000 / 256
    }
}
