package org.hamkafka.core.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hamkafka.core.data.DatasetInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What a weights file does not say about itself: the architecture, the data set and its image shape,
 * classes and normalization. Written as {@code model.json} beside {@code model.npz} (the npz holds only
 * parameters, so that PyTorch and numpy read it as is), and as {@code epoch-N.json} beside the trainer's
 * checkpoints in S3, so that an evaluation needs no {@code --model} and refuses a data set the weights
 * were not trained for.
 */
public record CheckpointInfo(String architecture, String dataset, int channels, int height, int width,
                             List<String> classes, float[] mean, float[] std,
                             @JsonProperty("trained_method") String trainedMethod) {
    /** The file name beside the weights. */
    public static final String FILE = "model.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static CheckpointInfo of(String architecture, DatasetInfo info, String method) {
        return new CheckpointInfo(architecture, info.name(), info.channels(), info.height(), info.width(),
                info.classNames(), info.mean(), info.std(), method);
    }

    /** The data set the weights were trained on, as a model of this architecture is built for it. */
    public DatasetInfo datasetInfo() {
        return new DatasetInfo(dataset, channels, height, width, classes, mean, std);
    }

    /** {@code model.json} beside a weights file. */
    public static Path besides(Path weights) {
        Path parent = weights.toAbsolutePath().getParent();
        return parent.resolve(FILE);
    }

    /**
     * Refuses a data set other than the one the weights were trained on: another name, image shape,
     * class list or normalization.
     */
    public void checkMatches(DatasetInfo info) {
        String problem = null;
        if (!dataset.equals(info.name())) {
            problem = "data set '" + info.name() + "'";
        } else if (channels != info.channels() || height != info.height() || width != info.width()) {
            problem = "image shape " + info.channels() + "x" + info.height() + "x" + info.width() + " (trained on "
                    + channels + "x" + height + "x" + width + ")";
        } else if (!classes.equals(info.classNames())) {
            problem = "classes " + info.classNames() + " (trained on " + classes + ")";
        } else if (!Arrays.equals(mean, info.mean()) || !Arrays.equals(std, info.std())) {
            problem = "normalization mean " + Arrays.toString(info.mean()) + " std " + Arrays.toString(info.std())
                    + " (trained with mean " + Arrays.toString(mean) + " std " + Arrays.toString(std) + ")";
        }
        if (problem != null) {
            throw new IllegalArgumentException("these " + architecture + " weights were trained on '" + dataset
                    + "'; refusing to evaluate them on " + problem);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CheckpointInfo fromJson(String json) {
        try {
            CheckpointInfo c = JSON.readValue(json, CheckpointInfo.class);
            if (c.architecture == null || c.dataset == null || c.classes == null || c.mean == null || c.std == null) {
                throw new IllegalArgumentException("not a checkpoint description: 'architecture', 'dataset', "
                        + "'classes', 'mean' and 'std' are required");
            }
            return c;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable checkpoint description: " + e.getMessage(), e);
        }
    }

    public void write(Path file) {
        try {
            Files.writeString(file, JSON.writeValueAsString(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static CheckpointInfo read(Path file) {
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
