package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * Per-class loss weights, the training half's class-wise setting ({@code class_weights}): each example's loss
 * weight — HAM's ŵ_i, or 1 for a method without weights of its own — is multiplied by its class's weight over the
 * classes' mean weight, so that a class of weight 2 counts twice the average class and all-equal weights change
 * nothing. What class-wise robust-fairness methods (re-weighting the classes a model is weak on) hand the
 * training half; a job can also set them itself.
 */
public final class ClassWeights {
    /** No class weights: every method trains as it does without them, bit for bit. */
    public static final ClassWeights NONE = new ClassWeights(null);

    /** Each class's weight over the mean weight; null for {@link #NONE}. */
    private final float[] relative;

    private ClassWeights(float[] relative) {
        this.relative = relative;
    }

    /** The weights of a configuration ({@code null}: {@link #NONE}); checked by {@link TrainConfig#validate()}. */
    public static ClassWeights of(List<Float> weights) {
        if (weights == null) {
            return NONE;
        }
        double mean = weights.stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
        if (!(mean > 0) || weights.stream().anyMatch(w -> w == null || !(w >= 0) || w.isInfinite())) {
            throw new IllegalArgumentException("class_weights must be finite, >= 0 and not all 0; got " + weights);
        }
        float[] r = new float[weights.size()];
        for (int c = 0; c < r.length; c++) {
            r[c] = (float) (weights.get(c) / mean);
        }
        return new ClassWeights(r);
    }

    /** Class c's weight over the mean (1 for {@link #NONE}). */
    public float relative(int c) {
        return relative == null ? 1f : relative[c];
    }

    /**
     * The loss weights of the rows labelled {@code y}: {@code weights[i]} (all ones when null) times the relative
     * weight of row i's class. {@link #NONE} returns {@code weights} itself.
     */
    public float[] apply(float[] weights, NDArray y) {
        if (relative == null) {
            return weights;
        }
        float[] out = perRow(relative, y, "class_weights");
        if (weights != null && weights.length != out.length) {
            throw new IllegalArgumentException("weights has " + weights.length + " entries for " + out.length
                    + " examples");
        }
        for (int i = 0; i < out.length && weights != null; i++) {
            out[i] *= weights[i];
        }
        return out;
    }

    /** {@code perClass[y_i]} for every row; a label without an entry is named with the {@code setting}. */
    static float[] perRow(float[] perClass, NDArray y, String setting) {
        long[] labels = y.toType(DataType.INT64, false).toLongArray();
        float[] out = new float[labels.length];
        for (int i = 0; i < out.length; i++) {
            int c = (int) labels[i];
            if (c < 0 || c >= perClass.length) {
                throw new IllegalArgumentException("label " + c + " has no entry: " + setting + " has "
                        + perClass.length);
            }
            out[i] = perClass[c];
        }
        return out;
    }
}
