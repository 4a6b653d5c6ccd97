package org.hamkafka.bench.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepBreakdownTest {
    private static final String PREFIX = "2026-12-02 04:10:00,123 DEBUG [org.ham.tra.ser.ProgressReporter] (ham-trainer-0) ";

    /** Lines as ProgressReporter and AttackRequestConsumer write them; medians worked out by hand. */
    @Test
    void mediansOfTheJobsStepsFromBothServicesLogs(@TempDir Path logs) throws Exception {
        Files.write(logs.resolve("trainer-service.log"), List.of(
                "2026-12-02 04:09:59,000 INFO  [org.ham.tra] job started",
                PREFIX + "job J step 1: waited 100.0 ms for attack results, trained 40.0 ms, next snapshot and request 10.0 ms",
                PREFIX + "job J step 2: waited 120.0 ms for attack results, trained 50.0 ms, next snapshot and request 12.0 ms",
                PREFIX + "job J step 3: waited 300.0 ms for attack results, trained 45.0 ms, next snapshot and request 11.0 ms",
                PREFIX + "job OTHER step 1: waited 9999.0 ms for attack results, trained 1.0 ms, next snapshot and request 1.0 ms"));
        Files.write(logs.resolve("attack-service.log"), List.of(
                PREFIX + "job J step 1 shard 0: kept 60 of 128; digest wait 0.1 ms, snapshot and attack 80.0 ms (attack 75 ms), "
                        + "result sent 5.0 ms",
                PREFIX + "job J step 2 shard 0: kept 61 of 128; digest wait 0.2 ms, snapshot and attack 90.0 ms (attack 84 ms), "
                        + "result sent 6.0 ms",
                PREFIX + "job J step 3 shard 0: kept 59 of 128; digest wait 0.1 ms, snapshot and attack 85.0 ms (attack 80 ms), "
                        + "result sent 7.0 ms"));
        Files.writeString(logs.resolve("eval-service.log"), PREFIX + "job J step 1: waited 1.0 ms for attack results, "
                + "trained 1.0 ms, next snapshot and request 1.0 ms\n");

        StepBreakdown.Medians m = StepBreakdown.of(logs, "J");
        assertEquals(3, m.steps(), "three of job J's trainer lines; OTHER's and eval-service's are not read");
        assertEquals(120.0, m.waited(), 1e-9);
        assertEquals(45.0, m.train(), 1e-9);
        assertEquals(11.0, m.nextRequest(), 1e-9);
        assertEquals(80.0, m.attack(), 1e-9);
        assertEquals(85.0 - 80.0, m.snapshotLoad(), 1e-9, "median snapshot and attack minus median attack");
        assertEquals(6.0, m.resultSend(), 1e-9);
        assertEquals(120.0 - 85.0 - 6.0, m.rest(), 1e-9, "what the trainer waited beyond the worker's pieces");
        assertTrue(StepBreakdown.table(m).contains("| 29.0 |"), StepBreakdown.table(m));
    }

    @Test
    void logsWithoutDebugTimingsGiveNoBreakdown(@TempDir Path logs) throws Exception {
        Files.writeString(logs.resolve("trainer-service.log"), "INFO only\n");
        Files.writeString(logs.resolve("attack-service.log"), "INFO only\n");
        assertNull(StepBreakdown.of(logs, "J"));
        assertNull(StepBreakdown.of(logs.resolve("missing"), "J"));
    }
}
