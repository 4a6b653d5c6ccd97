package org.hamkafka.bench;

import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentResumeTest {
    @Test
    void aFinishedRunIsReusedOnlyWithTheSameSettings() {
        TrainConfig cfg = TrainConfig.defaults("fashion-mnist").with(p -> {
            p.model = "tiny-cnn";
            p.epochs = 2;
        });
        ClassWiseReport eval = new ClassWiseReport(List.of("a", "b"), new long[][]{{1, 0}, {0, 1}}, Map.of());
        // read back from JSON, as --resume does
        Report done = Report.fromJson(Report.of(cfg, eval, null).toJson());
        Path file = Path.of("pgd-at-seed0", "report.json");
        assertDoesNotThrow(() -> Experiment.checkSameSettings(done, cfg, file));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Experiment.checkSameSettings(done,
                cfg.with(p -> {
                    p.epochs = 3;
                    p.lambda = -5f;
                }), file));
        assertTrue(e.getMessage().contains("epochs 2 (now 3)") && e.getMessage().contains("lambda -1.0 (now -5.0)"),
                e.getMessage());
    }
}
