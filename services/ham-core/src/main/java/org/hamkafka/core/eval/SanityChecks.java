package org.hamkafka.core.eval;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.attack.Attack;
import org.hamkafka.core.attack.InputGradients;
import org.hamkafka.core.model.Classifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a robustness evaluation can be trusted, run on the first batch before any attack, after the
 * checks of AutoAttack's reference implementation (Croce &amp; Hein, "Reliable evaluation of adversarial
 * robustness with an ensemble of diverse parameter-free attacks", ICML 2020; {@code autoattack/checks.py}).
 * Each failed check gives one warning sentence naming the check, the measured value and the threshold; none
 * throws. The checks:
 * <ul>
 *   <li>{@code probabilities}: every output lies in {@code [−τ, 1 + τ]} and every row sums to 1 within τ =
 *       {@value #PROBABILITY_TOLERANCE}: f seems to return probabilities, and the attacks' losses expect logits;</li>
 *   <li>{@code zero-gradients}: the share of examples whose input gradient of the cross-entropy is exactly zero
 *       (all coordinates) exceeds {@value #ZERO_GRADIENT_SHARE} — gradient masking (e.g. a quantized input)
 *       makes gradient attacks unreliable;</li>
 *   <li>{@code randomness}: two forwards of the same batch, each row scaled to unit L2 norm, differ in some row
 *       by more than {@value #RANDOMNESS_TOLERANCE} (L2) — a randomized defense needs an evaluation that
 *       averages over its randomness;</li>
 *   <li>{@code targets}: an attack asks for more target classes ({@code targets}, {@code fab_targets} in its
 *       settings) than the data set's classes − 1; it runs with C − 1.</li>
 * </ul>
 * Cost: with the clean forward the evaluation does anyway, one more forward and one forward + backward of the
 * batch (not counted in any attack's passes).
 */
public final class SanityChecks {
    /** The reference's tolerance for outputs that look like probabilities. */
    public static final double PROBABILITY_TOLERANCE = 1e-5;
    /** The reference warns as soon as one example has a zero gradient. */
    public static final double ZERO_GRADIENT_SHARE = 0;
    /** The reference's tolerance between forwards of normalized outputs. */
    public static final double RANDOMNESS_TOLERANCE = 1e-4;
    /** The settings that hold an attack's number of target classes. */
    static final List<String> TARGET_SETTINGS = List.of("targets", "fab_targets");

    private SanityChecks() {
    }

    /**
     * All checks on one batch.
     *
     * @param cleanLogits f's logits of x in inference mode (the first of the two forwards compared)
     */
    public static List<String> run(Classifier f, NDArray x, NDArray y, NDArray cleanLogits, int classes,
                                   List<Attack> attacks) {
        List<String> out = new ArrayList<>();
        probabilities(cleanLogits.toFloatArray(), classes, out);
        zeroGradients(InputGradients.crossEntropy(f, x, y), out);
        randomness(cleanLogits, f.logits(x, false), out);
        targets(attacks, classes, out);
        return out;
    }

    /** Outputs row-major, {@code classes} per row. */
    static void probabilities(float[] outputs, int classes, List<String> out) {
        double worstRange = 0;
        double worstSum = 0;
        for (int row = 0; row < outputs.length / classes; row++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                float v = outputs[row * classes + c];
                worstRange = Math.max(worstRange, Math.max(-v, v - 1));
                sum += v;
            }
            worstSum = Math.max(worstSum, Math.abs(sum - 1));
        }
        if (outputs.length > 0 && worstRange < PROBABILITY_TOLERANCE && worstSum < PROBABILITY_TOLERANCE) {
            out.add(String.format(Locale.ROOT, "sanity check 'probabilities': every output lies in [0, 1] and every "
                    + "row sums to 1 (largest deviation %.2g, tolerance %.0e); the model seems to return "
                    + "probabilities, but the attacks expect logits.", Math.max(worstRange, worstSum),
                    PROBABILITY_TOLERANCE));
        }
    }

    static void zeroGradients(NDArray gradient, List<String> out) {
        long n = gradient.getShape().get(0);
        float[] l1 = gradient.reshape(n, -1).abs().sum(new int[]{1}).toFloatArray();
        int zero = 0;
        for (float v : l1) {
            zero += v == 0 ? 1 : 0;
        }
        double share = n == 0 ? 0 : (double) zero / n;
        if (share > ZERO_GRADIENT_SHARE) {
            out.add(String.format(Locale.ROOT, "sanity check 'zero-gradients': %d of %d examples (share %.3f, "
                    + "threshold %s) have an all-zero input gradient of the cross-entropy; gradient attacks may "
                    + "overestimate robustness.", zero, n, share, ZERO_GRADIENT_SHARE));
        }
    }

    static void randomness(NDArray first, NDArray second, List<String> out) {
        double diff = normalized(first).sub(normalized(second)).square().sum(new int[]{1}).sqrt().max()
                .getFloat();
        if (diff > RANDOMNESS_TOLERANCE) {
            out.add(String.format(Locale.ROOT, "sanity check 'randomness': two forwards of the same batch differ "
                    + "(largest L2 distance of normalized outputs %.3g, tolerance %.0e); the model seems "
                    + "randomized.", diff, RANDOMNESS_TOLERANCE));
        }
    }

    private static NDArray normalized(NDArray z) {
        NDArray norms = z.square().sum(new int[]{1}, true).sqrt().add(1e-10f);
        return z.div(norms);
    }

    static void targets(List<Attack> attacks, int classes, List<String> out) {
        for (Attack a : attacks) {
            for (String key : TARGET_SETTINGS) {
                if (a.settings().get(key) instanceof Number t && t.longValue() > classes - 1) {
                    out.add("sanity check 'targets': " + a.name() + " asks for " + t + " target classes (" + key
                            + ") but the data set has " + classes + " classes, at most " + (classes - 1)
                            + " targets; it runs with " + (classes - 1) + ".");
                }
            }
        }
    }
}
