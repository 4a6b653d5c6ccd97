package org.hamkafka.eval.service;

import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.eval.ClassWiseReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ham-core's report → the published EvalResult: the sanity warnings are carried through the wire form. */
class ToResultTest {
    static final CheckpointAnnouncement A = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, "job-1", 2,
            "jobs/job-1/checkpoints/epoch-3.npz", "ab".repeat(32), "linear", "fashion-mnist", 0.1f, "pgd-at",
            Instant.parse("2025-01-02T03:04:05Z"));

    static ClassWiseReport report(List<String> warnings) {
        Map<String, long[][]> robust = Map.of("pgd-20", new long[][]{{5, 5}, {2, 8}});
        Map<String, ClassWiseReport.AttackInfo> info = Map.of("pgd-20",
                new ClassWiseReport.AttackInfo(Map.of("steps", 20), List.of(), 200, 200, 1.0));
        return new ClassWiseReport(List.of("a", "b"), new long[][]{{9, 1}, {1, 9}}, robust, info, Map.of(), warnings);
    }

    @Test
    void warningsAreCarriedToThePublishedResult() {
        List<String> w = List.of("sanity check 'probabilities': every output lies in [0, 1] and every row sums to 1 "
                + "(largest deviation 1.2e-07, tolerance 1e-05); the model seems to return probabilities, but the "
                + "attacks expect logits.");
        EvalResult r = CheckpointEvaluator.toResult(A, "fashion-mnist", 0.1f, Norm.LINF, report(w));
        assertEquals(w, r.warnings());
        assertEquals(w, Codec.fromJson(Codec.toJson(r), EvalResult.class).warnings());
    }

    @Test
    void noWarningsPublishAnEmptyList() {
        EvalResult r = CheckpointEvaluator.toResult(A, "fashion-mnist", 0.1f, Norm.LINF, report(List.of()));
        assertEquals(List.of(), Codec.fromJson(Codec.toJson(r), EvalResult.class).warnings());
    }
}
