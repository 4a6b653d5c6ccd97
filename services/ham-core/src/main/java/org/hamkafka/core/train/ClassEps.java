package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Per-class perturbation budgets, the attack half's class-wise setting ({@code class_eps}): during training each
 * example is attacked within its class's eps, with the step size scaled alike ({@code alpha·eps_c/eps}) and its
 * random start drawn in its own ball; what re-margining robust-fairness methods hand the attack half. Evaluation keeps
 * the one eps of the threat model. Every method with an attack takes it ({@link TrainingMethod#withClassEps}).
 */
public final class ClassEps {
    /** No per-class budgets: every class within eps, exactly as without them. */
    public static final ClassEps NONE = new ClassEps(null);

    /** eps_c / eps per class; null for {@link #NONE}. */
    private final float[] scale;

    private ClassEps(float[] scale) {
        this.scale = scale;
    }

    /** The budgets of a configuration ({@code null}: {@link #NONE}) against its {@code eps}; checked by validate(). */
    public static ClassEps of(List<Float> classEps, float eps) {
        if (classEps == null) {
            return NONE;
        }
        float[] s = new float[classEps.size()];
        for (int c = 0; c < s.length; c++) {
            Float e = classEps.get(c);
            if (e == null || !(e > 0) || e.isInfinite()) {
                throw new IllegalArgumentException("class_eps must be finite and > 0; got " + classEps);
            }
            s[c] = e / eps;
        }
        return new ClassEps(s);
    }

    public boolean isNone() {
        return scale == null;
    }

    /** Row i's budget over eps, {@code eps_{y_i}/eps}, shape (N) on y's manager; null for {@link #NONE}. */
    public NDArray rows(NDArray y) {
        if (scale == null) {
            return null;
        }
        return y.getManager().create(ClassWeights.perRow(scale, y, "class_eps"));
    }

    /** A start drawn in the eps-ball, moved into each row's own ball (null stays null); closes {@code start}. */
    static NDArray scaleStart(NDArray start, NDArray rows) {
        if (start == null || rows == null) {
            return start;
        }
        long[] dims = new long[start.getShape().dimension()];
        java.util.Arrays.fill(dims, 1L);
        dims[0] = start.getShape().get(0);
        NDArray scaled = start.mul(rows.reshape(new Shape(dims)));
        start.close();
        return scaled;
    }
}
