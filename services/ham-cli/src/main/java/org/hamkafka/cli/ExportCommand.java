package org.hamkafka.cli;

import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.model.TorchNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ham export}: a model.npz (DJL's names) as a safetensors file under PyTorch's names, which
 * python/ham_torch.py loads in one line ({@code ham_torch.load("model.safetensors")}, model.json beside it).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model's weights for PyTorch: safetensors under PyTorch's parameter names "
                + "(python/ham_torch.py defines every architecture and loads it in one line)")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--weights", required = true, description = "model.npz written by train (model.json beside it)")
    Path weights;
    @Option(names = "--format", defaultValue = "safetensors", description = "safetensors (the only one; default)")
    String format;
    @Option(names = "--out", description = "default: model.safetensors next to the weights")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("safetensors")) {
            throw new ParameterException(spec.commandLine(), "--format " + format + ": only safetensors is written");
        }
        Path infoFile = CheckpointInfo.besides(weights);
        if (!Files.isReadable(weights) || !Files.isReadable(infoFile)) {
            throw new ParameterException(spec.commandLine(), "--weights: need a readable " + weights + " and "
                    + infoFile + " beside it (both written by ham train)");
        }
        CheckpointInfo info;
        try {
            info = CheckpointInfo.read(infoFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        DatasetInfo data = info.datasetInfo();
        Path target = out != null ? out : weights.toAbsolutePath().resolveSibling("model.safetensors");
        try (InputStream in = Files.newInputStream(weights);
             Classifier f = Classifier.fromNpz(info.architecture(), data, Devices.resolve("cpu"), in);
             OutputStream o = Files.newOutputStream(target)) {
            TorchNames.exportSafetensors(f, o);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--weights " + weights + ": " + e.getMessage());
        }
        System.out.println("wrote " + target + " (load it in PyTorch: python/ham_torch.py, load(\"" + target.getFileName()
                + "\"), model.json beside it)");
        return 0;
    }
}
