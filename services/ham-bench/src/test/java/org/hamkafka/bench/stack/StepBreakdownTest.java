package org.hamkafka.bench.stack;

import org.hamkafka.local.TraceCollector.CollectedSpan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepBreakdownTest {
    private static final long MS = 1_000_000L;

    /** The spans of one step's trace as the services name them, every piece {@code scale} times a base length. */
    private static List<CollectedSpan> step(String job, String trace, double scale, boolean withAttack) {
        List<CollectedSpan> s = new ArrayList<>();
        String root = trace + "-step";
        s.add(span(StepBreakdown.TRAINER, trace, root, null, "step", 0, 200 * scale, Map.of("ham.job_id", job)));
        s.add(span(StepBreakdown.TRAINER, trace, "e1", root, "encode", 0, 2 * scale, Map.of()));
        s.add(span(StepBreakdown.TRAINER, trace, "pub", root, "ham.attack.requests publish", 2, 2, Map.of()));
        s.add(span(StepBreakdown.WORKER, trace, "t1", "pub", "transit", 2, 2 + 3 * scale, Map.of()));
        s.add(span(StepBreakdown.WORKER, trace, "d1", "pub", "decode", 10, 10 + 4 * scale, Map.of()));
        s.add(span(StepBreakdown.WORKER, trace, "w", "pub", "await snapshot", 20, 20 + 1 * scale, Map.of()));
        if (withAttack) {
            s.add(span(StepBreakdown.WORKER, trace, "a", "pub", "attack", 30, 30 + 100 * scale, Map.of()));
        }
        s.add(span(StepBreakdown.WORKER, trace, "e2", "pub", "encode", 140, 140 + 5 * scale, Map.of()));
        s.add(span(StepBreakdown.TRAINER, trace, "t2", "pub2", "transit", 150, 150 + 6 * scale, Map.of()));
        s.add(span(StepBreakdown.TRAINER, trace, "d2", "pub2", "decode", 160, 160 + 7 * scale, Map.of()));
        s.add(span(StepBreakdown.TRAINER, trace, "aw", root, "await attack results", 5, 5 + 150 * scale, Map.of()));
        s.add(span(StepBreakdown.TRAINER, trace, "tr", root, "train", 170, 170 + 40 * scale, Map.of()));
        // the epoch's checkpoint is announced under the last step: its encoding is not the request's
        s.add(span(StepBreakdown.TRAINER, trace, "c", root, "checkpoint", 300, 400, Map.of()));
        s.add(span(StepBreakdown.TRAINER, trace, "e3", "c", "encode", 300, 399, Map.of()));
        return s;
    }

    private static CollectedSpan span(String service, String trace, String id, String parent, String name,
                                      double startMs, double endMs, Map<String, String> attributes) {
        return new CollectedSpan(service, trace, id, parent, name, (long) (startMs * MS), (long) (endMs * MS), attributes);
    }

    /** Three steps of job J at 1×, 2× and 3× the base lengths: the medians are the 2× step's, worked out by hand. */
    @Test
    void mediansOfTheJobsStepTraces() {
        List<CollectedSpan> spans = new ArrayList<>();
        spans.addAll(step("J", "a", 1, true));
        spans.addAll(step("J", "b", 3, true));
        spans.addAll(step("J", "c", 2, true));
        spans.addAll(step("OTHER", "d", 50, true));
        spans.addAll(step("J", "e", 70, false)); // no attack span: not a whole path, left out

        StepBreakdown.Medians m = StepBreakdown.of(spans, "J");
        assertEquals(3, m.steps(), "J's three whole traces; OTHER's and the one without an attack span are not read");
        assertEquals(4.0, m.requestEncode(), 1e-6, "the request's encode, not the checkpoint's (99 ms)");
        assertEquals(6.0, m.requestTransit(), 1e-6);
        assertEquals(8.0, m.requestDecode(), 1e-6);
        assertEquals(2.0, m.awaitSnapshot(), 1e-6);
        assertEquals(200.0, m.attack(), 1e-6);
        assertEquals(10.0, m.resultEncode(), 1e-6);
        assertEquals(12.0, m.resultTransit(), 1e-6);
        assertEquals(14.0, m.resultDecode(), 1e-6);
        assertEquals(80.0, m.train(), 1e-6);
        assertEquals(300.0, m.waited(), 1e-6);
        assertEquals(400.0, m.step(), 1e-6);
        assertEquals(400.0 - (4 + 6 + 8 + 2 + 200 + 10 + 12 + 14 + 80), m.rest(), 1e-6, "the step less its pieces");
        assertTrue(StepBreakdown.table(m).contains("| 64.0 |"), StepBreakdown.table(m));
    }

    @Test
    void noWholeTraceGivesNoBreakdown() {
        assertNull(StepBreakdown.of(List.of(), "J"));
        assertNull(StepBreakdown.of(step("J", "e", 1, false), "J"));
        assertNull(StepBreakdown.of(step("OTHER", "a", 1, true), "J"));
    }
}
