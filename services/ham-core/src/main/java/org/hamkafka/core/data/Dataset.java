package org.hamkafka.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * An in-memory image classification data set: pixels in [0,1], laid out N×C×H×W (row-major),
 * and integer labels in [0, classes).
 */
public final class Dataset {
    private final DatasetInfo info;
    private final float[] pixels;
    private final int[] labels;

    public Dataset(DatasetInfo info, float[] pixels, int[] labels) {
        this.info = info;
        int per = info.pixelsPerImage();
        if (pixels.length != (long) labels.length * per) {
            throw new IllegalArgumentException("pixel array holds " + pixels.length + " values, expected "
                    + labels.length + " images × " + per);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= info.numClasses()) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is outside [0, "
                        + info.numClasses() + ")");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
    }

    public DatasetInfo info() {
        return info;
    }

    public int size() {
        return labels.length;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The labels (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** One image's pixels (a copy), C×H×W. */
    public float[] image(int i) {
        int per = info.pixelsPerImage();
        return Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
    }

    /** The examples at the given indices, as a new data set. */
    public Dataset subset(int[] indices) {
        int per = info.pixelsPerImage();
        float[] p = new float[indices.length * per];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * per, p, k * per, per);
            l[k] = labels[indices[k]];
        }
        return new Dataset(info, p, l);
    }

    /** Images at the given indices as an (n, C, H, W) float32 array on the manager's device. */
    public NDArray images(NDManager manager, int[] indices) {
        int per = info.pixelsPerImage();
        float[] p = new float[indices.length * per];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * per, p, k * per, per);
        }
        return manager.create(p, new Shape(indices.length, info.channels(), info.height(), info.width()));
    }

    /** Labels at the given indices as an (n) int64 array, the type DJL's losses expect. */
    public NDArray labels(NDManager manager, int[] indices) {
        long[] l = new long[indices.length];
        for (int k = 0; k < indices.length; k++) {
            l[k] = labels[indices[k]];
        }
        return manager.create(l);
    }

    /** Number of examples of each class. */
    public int[] classCounts() {
        int[] counts = new int[info.numClasses()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }
}
