package org.hamkafka.cli;

import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.TrainingCost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HamCliTest {
    static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = HamCli.run(new PrintWriter(err, true), args);
        return new String[]{String.valueOf(code), err.toString()};
    }

    @Test
    void dropStepNotBelowStepsStopsWithExitCode2NamingTheSetting() {
        String[] r = run("train", "--steps", "10", "--drop-step", "10", "--epochs", "1");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("K'") && r[1].contains("--drop-step"), r[1]);
    }

    @Test
    void negativeEpsAndUnknownMethodAreUsageErrors() {
        String[] r = run("train", "--eps", "-0.1");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("eps"), r[1]);
        r = run("train", "--method", "gairat");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("method"), r[1]);
    }

    @Test
    void everySettingIsAnOptionAndItsHelpShowsTheDefaultsThatApply() {
        picocli.CommandLine cl = new picocli.CommandLine(new HamCli());
        var train = cl.getSubcommands().get("train").getCommandSpec();
        SettingOptions.addTo(train);
        for (var f : org.hamkafka.core.train.PartialConfig.fields()) {
            String option = org.hamkafka.core.train.PartialConfig.option(f.getName());
            boolean distributedOnly = org.hamkafka.core.train.PartialConfig.DISTRIBUTED_ONLY.contains(f.getName());
            assertEquals(!distributedOnly, train.findOption(option) != null, option);
        }
        // the defaults are ham-core's, per data set where they differ
        assertEquals("K', HAM's early-drop step, 1 <= K' < K (default: fashion-mnist/mnist/cifar10/cifar100/"
                + "imagenette/image-folder:<name>/idx:<name> 3; svhn 5)", train.findOption("--drop-step").description()[0]);
        // and the files each data set needs, all of them at once
        String footer = String.join("\n", train.usageMessage().footer());
        assertTrue(footer.contains("cifar10: cifar-10-batches-bin/data_batch_1.bin") && footer.contains("data_batch_5.bin")
                && footer.contains("test_batch.bin"), footer);
        assertTrue(footer.contains("image-folder:<name>: train/<class>/*.{jpg,jpeg,png}"), footer);
        assertTrue(footer.contains("idx:<name>: train-images-idx3-ubyte[.gz]"), footer);
    }

    @Test
    void anEpsAboveOneAndASubsetLargerThanTheDataAreRefused(@TempDir Path dir) {
        String[] r = run("train", "--eps", "2");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("eps (--eps) must be in (0, 1)"), r[1]);
        r = run("train", "--model", "linear", "--method", "standard", "--epochs", "1", "--train-subset", "100",
                "--test-subset", "20000", "--out", dir.resolve("o").toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("test_subset (--test-subset) must be at most the test split's 10000 examples"), r[1]);
        // the validation split comes out of the training split first, and the message says so
        r = run("train", "--model", "linear", "--method", "standard", "--epochs", "1", "--train-subset", "60000",
                "--validation-size", "1000", "--out", dir.resolve("o").toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("train_subset (--train-subset) must be at most the training split's 59000 examples "
                + "left after validation_size (--validation-size) held out 1000"), r[1]);
    }

    @Test
    void missingDataSaysHowToGetIt(@TempDir Path empty) {
        String[] r = run("train", "--data-dir", empty.toString(), "--epochs", "1", "--out", empty.resolve("o").toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("apt-get install dataset-fashion-mnist"), r[1]);
    }

    @Test
    void trainWritesWeightsDescriptionReportAndCardAndEvalReadsTheModelFromTheDescription(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("run");
        String[] r = run("train", "--model", "linear", "--method", "standard", "--epochs", "1", "--train-subset", "200",
                "--test-subset", "100", "--eval-attacks", "pgd-2", "--out", out.toString());
        assertEquals("0", r[0], r[1]);
        for (String f : new String[]{"model.npz", "model.json", "report.json", "model-card.json",
                "robustbench-model-info.json"}) {
            assertTrue(java.nio.file.Files.exists(out.resolve(f)), f + " written");
        }
        var info = org.hamkafka.core.model.CheckpointInfo.read(out.resolve("model.json"));
        assertEquals("linear", info.architecture());
        assertEquals("fashion-mnist", info.dataset());

        // no --model: model.json names it; two attacks, so the report's headline is their worst case
        r = run("eval", "--weights", out.resolve("model.npz").toString(), "--test-subset", "100",
                "--eval-attacks", "pgd-2,fgsm");
        assertEquals("0", r[0], r[1]);
        var report = org.hamkafka.core.eval.Report.read(out.resolve("eval-report.json"));
        assertEquals("linear", report.model());
        assertEquals("standard", report.method(), "the method model.json names, not --method's default");
        assertEquals("worst-case", report.attack());
        for (int c = 0; c < report.classes().size(); c++) {
            assertTrue(report.robustAccuracy().perClass()[c] <= Math.min(report.robust("pgd-2").perClass()[c],
                    report.robust("fgsm").perClass()[c]) + 1e-12, "worst case <= each attack");
        }
        var card = org.hamkafka.core.eval.ModelCard.fromJson(java.nio.file.Files.readString(out.resolve("model-card.json")));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", 100 * report.cleanAccuracy().average()), card.cleanAcc());
        assertEquals(null, card.autoattackAcc(), "not evaluated with AutoAttack");

        // a --model other than the one the weights are, and weights trained on other classes: refused, exit 2
        r = run("eval", "--weights", out.resolve("model.npz").toString(), "--model", "tiny-cnn");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("says these weights are linear"), r[1]);
        String json = java.nio.file.Files.readString(out.resolve("model.json")).replace("Trouser", "Pants");
        java.nio.file.Files.writeString(out.resolve("model.json"), json);
        r = run("eval", "--weights", out.resolve("model.npz").toString(), "--test-subset", "100");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("refusing to evaluate") && r[1].contains("Pants"), r[1]);
    }

    @Test
    void aDataSetOfOnesOwnTrainsAndEvaluatesFromItsFolder(@TempDir Path dir) throws Exception {
        // IDX files of 12×12 images (not 28×28), classes 0-2: a data set of one's own, reached by name and folder
        Path data = dir.resolve("squares");
        java.nio.file.Files.createDirectories(data);
        int n = 30;
        byte[] px = new byte[n * 144];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 3);
            for (int j = 0; j < 144; j++) {
                px[i * 144 + j] = (byte) (j / 48 == i % 3 ? 200 : 10); // class c lights rows 4c..4c+3
            }
        }
        java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + px.length).putInt(0x803).putInt(n).putInt(12)
                .putInt(12).put(px);
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n).put(labels);
        for (String split : new String[]{"train", "t10k"}) {
            java.nio.file.Files.write(data.resolve(split + "-images-idx3-ubyte"), img.array());
            java.nio.file.Files.write(data.resolve(split + "-labels-idx1-ubyte"), lab.array());
        }
        Path out = dir.resolve("run");
        String[] r = run("train", "--dataset", "idx:squares", "--data-dir", data.toString(), "--model", "linear",
                "--method", "standard", "--epochs", "1", "--eval-attacks", "pgd-2", "--out", out.toString());
        assertEquals("0", r[0], r[1]);
        var report = org.hamkafka.core.eval.Report.read(out.resolve("report.json"));
        assertEquals("idx:squares", report.dataset());
        assertEquals(java.util.List.of("0", "1", "2"), report.classes());
        assertEquals(30, report.testExamples());
        var info = org.hamkafka.core.model.CheckpointInfo.read(out.resolve("model.json"));
        assertEquals(12, info.height());

        r = run("eval", "--weights", out.resolve("model.npz").toString(), "--data-dir", data.toString(),
                "--eval-attacks", "pgd-2");
        assertEquals("0", r[0], r[1]);
        assertEquals("idx:squares", org.hamkafka.core.eval.Report.read(out.resolve("eval-report.json")).dataset());

        // a name that is a path is refused before anything is read
        r = run("train", "--dataset", "idx:../squares", "--epochs", "1");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("dataset") && r[1].contains("idx:<name>"), r[1]);
    }

    /**
     * Per-epoch checkpoints and a resume state after every epoch; one epoch trained, then resumed to two, ends with
     * the weights of two epochs trained at once (the first epoch's learning rate is the same under --epochs 1
     * and 2). Resuming under other settings, or past the end, is refused naming the setting.
     */
    @Test
    void aRunResumedFromItsEpochStateEndsAsTheRunWithoutAStop(@TempDir Path dir) throws Exception {
        String[] common = {"--model", "linear", "--method", "pgd-at", "--steps", "2", "--train-subset", "128",
                "--batch-size", "32", "--test-subset", "50", "--eval-attacks", "pgd-2", "--seed", "4"};
        Path whole = dir.resolve("whole");
        Path first = dir.resolve("first");
        Path rest = dir.resolve("rest");
        String[] r = run(concat(common, "train", "--epochs", "2", "--out", whole.toString()));
        assertEquals("0", r[0], r[1]);
        assertTrue(java.nio.file.Files.exists(whole.resolve("checkpoints/epoch-1.npz")), "epoch 1's checkpoint");
        assertTrue(java.nio.file.Files.exists(whole.resolve("checkpoints/epoch-2.npz")), "epoch 2's checkpoint");
        assertEquals(-1L, java.nio.file.Files.mismatch(whole.resolve("checkpoints/epoch-2.npz"), whole.resolve("model.npz")),
                "the last epoch's checkpoint is the model");

        r = run(concat(common, "train", "--epochs", "1", "--out", first.toString()));
        assertEquals("0", r[0], r[1]);
        String state = first.resolve("resume-state.npz").toString();
        r = run(concat(common, "train", "--epochs", "2", "--resume", state, "--out", rest.toString()));
        assertEquals("0", r[0], r[1]);
        assertEquals(-1L, java.nio.file.Files.mismatch(whole.resolve("model.npz"), rest.resolve("model.npz")),
                "resumed after epoch 1 = two epochs at once, bit for bit");
        // ... and reports the whole training's cost: the passes and examples of the two parts add up to the run's
        // without a stop, the time to the two parts' times
        TrainingCost once = Report.read(whole.resolve("report.json")).trainingCost();
        TrainingCost before = Report.read(first.resolve("report.json")).trainingCost();
        TrainingCost resumed = Report.read(rest.resolve("report.json")).trainingCost();
        assertEquals(2, resumed.epochs());
        assertEquals(counts(once), counts(resumed), "counts of the resumed run = the run without a stop");
        assertTrue(resumed.seconds() > before.seconds(), resumed + " takes in the first part's " + before.seconds() + " s");
        assertEquals(once.attackForwardRows(), 2 * before.attackForwardRows(), "one epoch of two, as a check on the above");

        r = run(concat(common, "train", "--epochs", "2", "--lr", "0.2", "--resume", state, "--out", rest.toString()));
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("--lr") && r[1].contains("0.2"), r[1]);
        r = run(concat(common, "train", "--epochs", "1", "--resume", state, "--out", rest.toString()));
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("epochs are done"), r[1]);
        r = run(concat(common, "train", "--epochs", "2", "--resume", first.resolve("model.npz").toString()));
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("--resume"), r[1]);
    }

    private static java.util.List<Long> counts(TrainingCost c) {
        return java.util.List.of(c.attackForwardRows(), c.attackBackwardRows(), c.trainForwardRows(),
                c.trainBackwardRows(), c.examplesSeen(), c.examplesTrained(), c.examplesDropped(), c.optimizerSteps());
    }

    private static String[] concat(String[] common, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + common.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        return all;
    }

    @Test
    void compareOfUnreadableReportIsAUsageError(@TempDir Path dir) {
        String[] r = run("compare", dir.resolve("a.json").toString(), dir.resolve("b.json").toString());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("a.json"), r[1]);
    }
}
