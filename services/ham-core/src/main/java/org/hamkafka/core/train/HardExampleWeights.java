package org.hamkafka.core.train;

import java.util.Arrays;

/**
 * HAM's weights for the hard examples of a batch (spec step 4), from their variation v:
 * {@code v̂ = v·n/Σv + base}, {@code m = max v̂}, {@code w = 1 - (tanh(λ + (m/2 - v̂)·5/(m/2)) + 1)/2},
 * {@code ŵ = w·n/Σw} (mean 1). For λ = -1, w = (1 + tanh(10·v̂/m - 4))/2, increasing in v̂.
 *
 * <p>Paper:
 * Chenhao Lin et al., "Hard Adversarial Example Mining for Improving Robust Fairness", arXiv:2308.01823,
 * 2023 (the version with early-dropping, which this code follows; a revised version is in IEEE Transactions
 * on Information Forensics and Security).
 */
public final class HardExampleWeights {
    private HardExampleWeights() {
    }

    /**
     * @param variation v of each hard example, finite and >= 0
     * @param lambda    λ (default -1), finite
     * @param base      b >= 0 added to v̂ (default 0)
     * @return ŵ, mean 1; empty for no examples; all ones when Σv = 0 (every v equal)
     */
    public static float[] weights(float[] variation, float lambda, float base) {
        double[] w = unnormalized(variation, lambda, base);
        int n = w.length;
        if (n == 0) {
            return new float[0];
        }
        double sum = Arrays.stream(w).sum();
        if (!(sum > 0) || Double.isInfinite(sum)) {
            throw new IllegalArgumentException("lambda = " + lambda + " drives every weight to 0; use a lambda "
                    + "of moderate size (default -1)");
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (w[i] * n / sum);
        }
        return out;
    }

    /**
     * w before the normalization to mean 1 (exposed for tests and diagnostics). Σv = 0 gives all ones,
     * as do all-equal v through the formula after normalization.
     */
    public static double[] unnormalized(float[] variation, float lambda, float base) {
        if (variation == null) {
            throw new IllegalArgumentException("variation must not be null");
        }
        if (!Float.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite; got " + lambda);
        }
        if (!(base >= 0) || Float.isInfinite(base)) {
            throw new IllegalArgumentException("base must be a finite number >= 0; got " + base);
        }
        int n = variation.length;
        double sumV = 0;
        for (int i = 0; i < n; i++) {
            float v = variation[i];
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("variation[" + i + "] must be finite and >= 0; got " + v);
            }
            sumV += v;
        }
        double[] w = new double[n];
        if (sumV == 0) {
            // every v is 0: all examples are alike, so they weigh alike
            Arrays.fill(w, 1.0);
            return w;
        }
        double[] vHat = new double[n];
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            vHat[i] = variation[i] * n / sumV + base;
            m = Math.max(m, vHat[i]);
        }
        // m >= 1 here (mean of v̂ - base is 1 and base >= 0), so m/2 is never 0
        for (int i = 0; i < n; i++) {
            double z = lambda + (m / 2 - vHat[i]) * 5 / (m / 2);
            // 1 - (tanh z + 1)/2 = 1/(1 + e^{2z}): the same value without cancellation for large z
            w[i] = 1.0 / (1.0 + Math.exp(2 * z));
        }
        return w;
    }

    /** The "uniform" variant: ŵ = 1 for every hard example. */
    public static float[] uniform(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0; got " + n);
        }
        float[] w = new float[n];
        Arrays.fill(w, 1f);
        return w;
    }
}
