package org.hamkafka.core.data;

import java.util.List;

/**
 * What a model needs to know about its data: the image shape, the classes, and the per-channel
 * normalization that the model applies inside itself (so attacks work in [0,1] pixel space).
 */
public record DatasetInfo(String name, int channels, int height, int width, List<String> classNames,
                          float[] mean, float[] std) {
    public DatasetInfo {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (classNames == null || classNames.size() < 2) {
            throw new IllegalArgumentException("a data set needs at least 2 classes");
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean/std need one value per channel (" + channels + ")");
        }
        classNames = List.copyOf(classNames);
    }

    public int numClasses() {
        return classNames.size();
    }

    public int pixelsPerImage() {
        return channels * height * width;
    }
}
