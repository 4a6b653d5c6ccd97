package org.hamkafka.bench;

import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void thePartialTableOfAnExperimentUnderWayListsTheRunsNotTrainedYet(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String[] common = {"--design", "scratch", "--model", "linear", "--train-subset", "60", "--test-subset", "20", "--epochs", "1",
                "--seeds", "1", "--autoattack", "none", "--curve-subset", "0", "--eval-attacks", "fgsm",
                "--out", dir.resolve("runs").toString(), "--docs", dir.resolve("docs").toString()};
        // one run trained, for one of the two methods
        assertEquals(0, run(common, "--methods", "standard"));
        // without --partial the missing run is an error; with it, the table has the trained run and names the other
        assertEquals(1, run(common, "--methods", "standard,pgd-at", "--aggregate-only"));
        assertEquals(0, run(common, "--methods", "standard,pgd-at", "--aggregate-only", "--partial"));
        String md = java.nio.file.Files.readString(dir.resolve("docs/results.md"));
        assertTrue(md.contains("| standard | 1 |"), md);
        assertTrue(!md.contains("| pgd-at |") && md.contains("Not trained yet") && md.contains("pgd-at seed 0"), md);
        assertEquals(2, run(common, "--methods", "standard", "--partial"), "--partial goes with --aggregate-only");
    }

    /**
     * The branch design: the trunk is trained once per seed; PGD-AT continued from it is PGD-AT trained straight, and
     * HAM from it is HAM with its own warm-up of as many epochs, bit for bit; FRL branches from it; a run whose report is gone goes on from its own state (here: after its last
     * epoch, so nothing is trained again) with the same weights and cost; a trunk of other settings is refused.
     */
    @Test
    void branchesStartFromOneTrunkPerSeedAndGoOnFromTheirOwnState(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String[] common = {"--model", "linear", "--train-subset", "60", "--test-subset", "20", "--epochs", "2",
                "--warmup-epochs", "1", "--validation-size", "30", "--seeds", "1", "--autoattack", "none",
                "--curve-subset", "0", "--eval-attacks", "fgsm", "--docs", dir.resolve("docs").toString()};
        Path runs = dir.resolve("runs");
        assertEquals(0, run(common, "--methods", "pgd-at,frl,ham", "--out", runs.toString()));
        Path trunk = runs.resolve("trunk-seed0").resolve(Branches.TRUNK_STATE);
        assertTrue(java.nio.file.Files.exists(trunk));
        long trunkWritten = java.nio.file.Files.getLastModifiedTime(trunk).toMillis();
        assertTrue(java.nio.file.Files.exists(runs.resolve("frl-seed0/model.npz")));
        assertEquals("frl", Report.read(runs.resolve("frl-seed0/report.json")).settings().method);

        Path straight = dir.resolve("straight");
        assertEquals(0, run(common, "--methods", "pgd-at,ham", "--design", "scratch", "--out", straight.toString()));
        assertEquals(-1L, java.nio.file.Files.mismatch(runs.resolve("pgd-at-seed0/model.npz"),
                straight.resolve("pgd-at-seed0/model.npz")), "PGD-AT continued from its trunk = PGD-AT straight");
        assertEquals(-1L, java.nio.file.Files.mismatch(runs.resolve("ham-seed0/model.npz"),
                straight.resolve("ham-seed0/model.npz")), "HAM from the trunk = HAM after its own PGD-AT warm-up");
        var branched = Report.read(runs.resolve("pgd-at-seed0/report.json")).trainingCost();
        var once = Report.read(straight.resolve("pgd-at-seed0/report.json")).trainingCost();
        assertEquals(once.attackForwardRows(), branched.attackForwardRows(), "the branch's cost counts the trunk's");
        assertEquals(once.optimizerSteps(), branched.optimizerSteps());

        byte[] frlWeights = java.nio.file.Files.readAllBytes(runs.resolve("frl-seed0/model.npz"));
        var frlCost = Report.read(runs.resolve("frl-seed0/report.json")).trainingCost();
        java.nio.file.Files.delete(runs.resolve("frl-seed0/report.json"));
        assertEquals(0, run(common, "--methods", "pgd-at,frl,ham", "--out", runs.toString(), "--resume"));
        assertEquals(trunkWritten, java.nio.file.Files.getLastModifiedTime(trunk).toMillis(), "the trunk is not trained again");
        assertEquals(-1L, java.util.Arrays.mismatch(frlWeights,
                java.nio.file.Files.readAllBytes(runs.resolve("frl-seed0/model.npz"))), "gone on from its own state");
        assertEquals(frlCost.attackForwardRows(),
                Report.read(runs.resolve("frl-seed0/report.json")).trainingCost().attackForwardRows());

        // a trunk trained with other settings is never taken for this command's
        assertEquals(1, run(common, "--methods", "frl", "--out", runs.toString(), "--lr", "0.02"));
    }

    /**
     * --run-per-process (scripts/experiment.sh's loop): each process trains or evaluates one run and stops with
     * MORE_RUNS; the next, with --resume, takes the next run; the one that finds all done writes the table.
     */
    @Test
    void oneRunPerProcessStopsAfterEachRunUntilAllAreDone(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        String[] common = {"--design", "scratch", "--model", "linear", "--train-subset", "60", "--test-subset", "20",
                "--epochs", "1", "--seeds", "1", "--autoattack", "none", "--curve-subset", "0", "--eval-attacks", "fgsm",
                "--methods", "standard,pgd-at", "--out", runs.toString(), "--docs", dir.resolve("docs").toString(),
                "--run-per-process"};
        assertEquals(RunSetting.MORE_RUNS, run(common));
        assertTrue(java.nio.file.Files.exists(runs.resolve("standard-seed0/report.json")));
        assertTrue(!java.nio.file.Files.exists(runs.resolve("pgd-at-seed0")), "the second run waits for a new process");
        assertEquals(RunSetting.MORE_RUNS, run(common, "--resume"));
        long written = java.nio.file.Files.getLastModifiedTime(runs.resolve("pgd-at-seed0/report.json")).toMillis();
        assertTrue(!java.nio.file.Files.exists(dir.resolve("docs/results.md")), "no table while runs were left");
        assertEquals(0, run(common, "--resume"));
        assertTrue(java.nio.file.Files.readString(dir.resolve("docs/results.md")).contains("| pgd-at | 1 |"));
        assertEquals(written, java.nio.file.Files.getLastModifiedTime(runs.resolve("pgd-at-seed0/report.json"))
                .toMillis(), "the last process trained nothing");
    }

    private static int run(String[] common, String... more) {
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(common), java.util.Arrays.stream(more))
                .toArray(String[]::new);
        return new picocli.CommandLine(new Experiment()).execute(args);
    }
}
