package org.hamkafka.contracts;

import java.util.List;

/**
 * Enough about a data set to rebuild a model for it: the image shape, the number of classes and,
 * where the sender knows them, the class names and the per-channel normalization that the model
 * applies inside itself.
 *
 * @param name        data set name, e.g. {@code fashion-mnist}, {@code cifar10}
 * @param classNames  one name per class, or null (the receiver then uses its own table for {@code name})
 * @param mean        per-channel mean of the model's normalization layer, or null
 * @param std         per-channel standard deviation of the model's normalization layer, or null
 */
public record DatasetSpec(String name, int channels, int height, int width, int numClasses,
                          @Nullable List<String> classNames, @Nullable float[] mean, @Nullable float[] std) {
    public DatasetSpec {
        Require.nonBlank(name, "dataset.name");
        Require.positive(channels, "dataset.channels");
        Require.positive(height, "dataset.height");
        Require.positive(width, "dataset.width");
        if (numClasses < 2) {
            throw new IllegalArgumentException("dataset.num_classes must be >= 2, got " + numClasses);
        }
        if (classNames != null && classNames.size() != numClasses) {
            throw new IllegalArgumentException("dataset.class_names has " + classNames.size()
                    + " names but num_classes is " + numClasses);
        }
        if (mean != null && mean.length != channels || std != null && std.length != channels) {
            throw new IllegalArgumentException("dataset.mean and dataset.std need one value per channel (" + channels + ")");
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
    }
}
