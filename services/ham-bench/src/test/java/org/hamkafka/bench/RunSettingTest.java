package org.hamkafka.bench;

import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunSettingTest {
    @Test
    void experimentAndSweepShareTheSettingButNotTheSeedCount() {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs();
        Sweep s = new Sweep();
        new CommandLine(s).parseArgs();
        assertEquals(3, e.setting.seeds);
        assertEquals(2, s.setting.seeds, "the sweep's own default survives the shared option's parsing");
        TrainConfig a = e.base(1);
        TrainConfig b = s.base(1);
        assertEquals(a.data().trainSubset(), b.data().trainSubset());
        assertEquals(a.optimisation().epochs(), b.optimisation().epochs());
        assertEquals(a.model(), b.model());
        assertEquals(a.threat().eps(), b.threat().eps());
        assertEquals(a.threat().steps(), b.threat().steps());
        assertEquals(20000, b.data().trainSubset());
    }

    @Test
    void optionsReachTheConfigAndBadSeedsAreNamed() {
        Sweep s = new Sweep();
        new CommandLine(s).parseArgs("--seeds", "4", "--epochs", "2", "--train-subset", "500", "--model", "linear");
        TrainConfig c = s.base(7);
        assertEquals(4, s.setting.seeds);
        assertEquals(2, c.optimisation().epochs());
        assertEquals(500, c.data().trainSubset());
        assertEquals("linear", c.model());
        assertEquals(7, c.data().seed());
        assertEquals(3, s.setting.lastSeed(), "seeds 0..3");
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs("--seeds", "0");
        CommandLine.ParameterException ex = assertThrows(CommandLine.ParameterException.class, () -> e.setting.checkSeeds(e));
        assertEquals("--seeds must be >= 1; got 0", ex.getMessage());
    }

    /** The sweep under --run-per-process: PGD-AT, then the one HAM setting, each in its own process, then the table. */
    @Test
    void theSweepTrainsOneRunPerProcess(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path runs = dir.resolve("runs");
        String[] args = {"--design", "scratch", "--model", "linear", "--train-subset", "60", "--test-subset", "20",
                "--epochs", "1", "--seeds", "1", "--drop-steps", "1", "--warmup-epochs", "0", "--lambdas", "-1",
                "--skip-uniform", "--eval-attack", "fgsm", "--out", runs.toString(), "--docs", dir.toString(),
                "--run-per-process", "--resume"};
        assertEquals(RunSetting.MORE_RUNS, new CommandLine(new Sweep()).execute(args));
        assertEquals(1, runFolders(runs), "PGD-AT only");
        assertEquals(RunSetting.MORE_RUNS, new CommandLine(new Sweep()).execute(args));
        assertEquals(2, runFolders(runs), "then the HAM setting");
        assertEquals(0, new CommandLine(new Sweep()).execute(args));
        assertEquals(2, runFolders(runs), "the last process trains nothing");
        assertTrue(java.nio.file.Files.exists(dir.resolve("sweep.md")));
    }

    private static long runFolders(java.nio.file.Path runs) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(runs)) {
            return files.filter(d -> java.nio.file.Files.exists(d.resolve("report.json"))).count();
        }
    }
}
