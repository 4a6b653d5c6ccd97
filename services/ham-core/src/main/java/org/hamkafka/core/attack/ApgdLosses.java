package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** The per-example losses APGD maximises (Croce &amp; Hein, ICML 2020): cross-entropy, DLR and targeted DLR. */
final class ApgdLosses {
    /** Keeps a denominator off zero. */
    static final float TINY = 1e-12f;

    private ApgdLosses() {
    }

    /** Per-example cross-entropy {@code −log softmax(z)_y}, shape (N). */
    static NDArray crossEntropy(NDArray logits, NDArray y) {
        return logits.logSoftmax(1).mul(AttackMath.oneHot(logits, y)).sum(new int[]{1}).neg();
    }

    /**
     * DLR, per example: {@code −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e-12)}, π sorting z in
     * decreasing order; shape (N). Invariant to z → a·z + b for a &gt; 0. Needs at least 3 classes.
     */
    static NDArray dlr(NDArray logits, NDArray y) {
        int c = (int) logits.getShape().get(1);
        NDArray sorted = logits.sort(1); // ascending: π1 is column c-1
        NDArray oneHot = AttackMath.oneHot(logits, y);
        NDArray zy = logits.mul(oneHot).sum(new int[]{1});
        // the largest other logit is π2 when y is the argmax, else π1
        NDArray yIsTop = logits.argMax(1).eq(y.toType(DataType.INT64, false)).toType(DataType.FLOAT32, false);
        NDArray p1 = sorted.get(":, " + (c - 1));
        NDArray p2 = sorted.get(":, " + (c - 2));
        NDArray p3 = sorted.get(":, " + (c - 3));
        NDArray other = p2.mul(yIsTop).add(p1.mul(yIsTop.neg().add(1f)));
        return zy.sub(other).neg().div(p1.sub(p3).add(TINY));
    }

    /**
     * Targeted DLR, per example: {@code −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e-12)}; shape (N).
     * Needs at least 4 classes.
     */
    static NDArray dlrTargeted(NDArray logits, NDArray y, NDArray t) {
        int c = (int) logits.getShape().get(1);
        NDArray sorted = logits.sort(1);
        NDArray zy = logits.mul(AttackMath.oneHot(logits, y)).sum(new int[]{1});
        NDArray zt = logits.mul(AttackMath.oneHot(logits, t)).sum(new int[]{1});
        NDArray p1 = sorted.get(":, " + (c - 1));
        NDArray p34 = sorted.get(":, " + (c - 3)).add(sorted.get(":, " + (c - 4))).mul(0.5f);
        return zy.sub(zt).neg().div(p1.sub(p34).add(TINY));
    }
}
