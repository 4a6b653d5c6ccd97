package org.hamkafka.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A regenerated results page keeps what was written by hand below the table. */
class ExperimentPageTest {
    @Test
    void theHandWrittenPartSurvivesAndNothingElse(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("results.md");
        assertEquals("", Experiment.handWritten(page), "no page yet");
        Files.writeString(page, "# Results\n| old table |\n\n## How it ran (written by hand; ...)\n\n- a note\n\n## Findings\nx\n");
        assertEquals("\n## How it ran (written by hand; ...)\n\n- a note\n\n## Findings\nx\n", Experiment.handWritten(page));
        Files.writeString(page, "# Results\n| a table, nothing by hand |\n");
        assertEquals("", Experiment.handWritten(page));
    }
}
