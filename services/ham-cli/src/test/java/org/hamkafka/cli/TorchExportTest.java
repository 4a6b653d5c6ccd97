package org.hamkafka.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.model.TorchNames;
import org.hamkafka.npy.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ham export} for PyTorch: Debian's python3-torch loads the safetensors file (and the npz) with
 * python/ham_torch.py's definitions and must give DJL's logits within 1e-4, under exactly the names
 * {@link TorchNames} promises, for every architecture and for a trained model.
 */
class TorchExportTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final DatasetInfo INFO = Datasets.info("fashion-mnist");
    static Path check;

    @BeforeAll
    static void pythonWithTorch() throws Exception {
        boolean present = Files.isExecutable(PYTHON)
                && new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy").start().waitFor() == 0;
        if (!present && System.getenv("CI") != null) {
            fail("CI must run the PyTorch export test: " + PYTHON + " cannot import torch and numpy "
                    + "(scripts/setup.sh installs python3-torch and python3-numpy for the tests)");
        }
        assumeTrue(present, "no PyTorch here: apt-get install -y python3-torch python3-numpy to run this test");
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("python/tests/check_logits.py"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "python/tests/check_logits.py above " + Path.of("").toAbsolutePath());
        check = dir.resolve("python/tests/check_logits.py");
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "tiny-cnn", "smallcnn-w0.125", "preact-resnet18", "wrn-10-2"})
    void pyTorchGivesDjlsLogitsUnderPyTorchsNames(String arch, @TempDir Path dir) throws Exception {
        try (Classifier f = Classifier.create(arch, INFO, Device.cpu(), 5)) {
            moveRunningStatistics(f); // so that a statistic read under the wrong name changes the logits
            try (OutputStream o = Files.newOutputStream(dir.resolve("model.npz"))) {
                ModelWeights.exportNpz(f, o);
            }
            CheckpointInfo.of(arch, INFO, "pgd-at").write(dir.resolve(CheckpointInfo.FILE));
            writeInputsAndLogits(f, dir);
        }
        JsonNode r = exportAndCheck(dir);
        List<String> names = new ArrayList<>();
        r.get("names").forEach(n -> names.add(n.asText()));
        assertEquals(TorchNames.of(arch), names, "the file's names, in order");
        assertTrue(r.get("names_match").asBoolean(), arch + ": the file's names are the PyTorch model's state_dict");
    }

    @Test
    void aTrainedModelLoadsInOneLineWithDjlsLogits(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, HamCli.run("train", "--model", "smallcnn-w0.125", "--method", "pgd-at", "--epochs", "1",
                "--train-subset", "256", "--test-subset", "100", "--eval-attacks", "fgsm", "--out", run.toString()));
        try (var in = Files.newInputStream(run.resolve("model.npz"));
             Classifier f = Classifier.fromNpz("smallcnn-w0.125", INFO, Device.cpu(), in)) {
            writeInputsAndLogits(f, run);
        }
        exportAndCheck(run);
    }

    @Test
    void aMissingDescriptionOrAnotherFormatIsAUsageError(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("model.npz"), new byte[]{1, 2, 3});
        assertEquals(2, HamCli.run("export", "--weights", dir.resolve("model.npz").toString()));
        CheckpointInfo.of("linear", INFO, "standard").write(dir.resolve(CheckpointInfo.FILE));
        assertEquals(2, HamCli.run("export", "--weights", dir.resolve("model.npz").toString()), "corrupt weights");
        assertEquals(2, HamCli.run("export", "--weights", dir.resolve("model.npz").toString(), "--format", "onnx"));
    }

    /** Exports, runs the PyTorch side, checks both files' logits; returns its report. */
    private static JsonNode exportAndCheck(Path dir) throws Exception {
        assertEquals(0, HamCli.run("export", "--weights", dir.resolve("model.npz").toString()));
        Process p = new ProcessBuilder(PYTHON.toString(), check.toString(), dir.toString()).redirectErrorStream(false)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "python failed: " + err);
        JsonNode r = new ObjectMapper().readTree(out);
        assertTrue(r.get("model.safetensors").asDouble() <= 1e-4, "safetensors logits differ by " + r);
        assertTrue(r.get("model.npz").asDouble() <= 1e-4, "npz logits differ by " + r);
        return r;
    }

    private static void writeInputsAndLogits(Classifier f, Path dir) throws IOException {
        Random random = new Random(11);
        float[] pixels = new float[6 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.create(pixels, new Shape(6, 1, 28, 28));
            NDArray logits = f.logits(x, false);
            Files.write(dir.resolve("x.npy"), Npy.floats(new long[]{6, 1, 28, 28}, pixels));
            Files.write(dir.resolve("logits.npy"), Npy.floats(logits.getShape().getShape(), logits.toFloatArray()));
        }
    }

    private static void moveRunningStatistics(Classifier f) {
        Random random = new Random(3);
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            boolean mean = p.getKey().endsWith("runningMean");
            if (mean || p.getKey().endsWith("runningVar")) {
                float[] v = new float[(int) a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = mean ? (float) random.nextGaussian() * 0.3f : 0.5f + random.nextFloat();
                }
                a.set(v);
            }
        }
    }
}
