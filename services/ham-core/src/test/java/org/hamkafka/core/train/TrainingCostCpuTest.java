package org.hamkafka.core.train;

import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.model.CpuModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A training cost names the CPUs its times were measured on, so times of different machines never mix unseen. */
class TrainingCostCpuTest {
    private static TrainingCost cost(double seconds, List<String> cpus) {
        return new TrainingCost(1, seconds, 10, 10, 1, 1, 1, 1, 0, 1, null, null, null, cpus);
    }

    @Test
    void aResumedTrainingListsEveryCpuItRanOnInOrderAndAnUnrecordedPartAsUnknown() {
        TrainingCost epyc = cost(100, List.of("AMD EPYC"));
        TrainingCost xeon = cost(200, List.of("Intel(R) Xeon(R) Processor"));
        assertEquals(List.of("AMD EPYC", "Intel(R) Xeon(R) Processor"), xeon.after(epyc).cpus());
        assertEquals(300, xeon.after(epyc).seconds(), 0);
        assertEquals(List.of("AMD EPYC"), epyc.after(epyc).cpus(), "one CPU, named once");
        assertEquals(List.of(CpuModel.UNKNOWN, "AMD EPYC"), epyc.after(cost(50, null)).cpus(),
                "a part from before the record: unknown, not left out");
        assertNull(cost(50, null).after(cost(50, null)).cpus(), "nothing recorded: nothing claimed");
        assertEquals(List.of("X"), cost(1, null).on("X").cpus());
    }

    @Test
    void theCpuModelIsTheModelNameLineOfCpuinfo() {
        assertEquals("Intel(R) Xeon(R) Processor", CpuModel.of(List.of("processor\t: 0", "vendor_id\t: GenuineIntel",
                "model name\t: Intel(R) Xeon(R) Processor", "flags\t\t: fpu avx512f")));
        assertEquals(CpuModel.UNKNOWN, CpuModel.of(List.of("processor\t: 0")));
    }

    @Test
    void aTrainingAndItsReportNameTheCpuTheyRanOn() throws Exception {
        TrainingCost[] cost = new TrainingCost[1];
        TrainingRunTest.run(TrainingRunTest.smallHam(), TrainingRunTest.synthetic(), new java.util.ArrayList<>(), cost);
        assertEquals(List.of(CpuModel.current()), cost[0].cpus());
        Report report = Report.fromJson(Report.of(TrainingRunTest.smallHam(), new ClassWiseReport(List.of("a", "b"),
                new long[][]{{9, 1}, {2, 8}}, Map.of()), cost[0]).toJson());
        assertEquals(List.of(CpuModel.current()), report.trainingCost().cpus());
        assertEquals(CpuModel.current(), report.run().cpu());
    }
}
