package org.hamkafka.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The training-method settings the attack half needs (names as in the papers). The worker builds
 * the same {@code TrainConfig} the in-process run uses from these.
 *
 * @param method            {@code standard}, {@code pgd-at}, {@code trades}, {@code fast-at} or {@code ham}
 * @param eps               perturbation budget (e.g. 8/255)
 * @param alpha             attack step size (e.g. 2/255)
 * @param steps             attack steps K
 * @param dropStep          HAM's early-drop step K' (1 <= K' < K); ignored by other methods
 * @param norm              {@code linf} or {@code l2}
 * @param randomStart       start PGD from a uniform random point in the eps-ball
 * @param variationOnLogits HAM: measure the variation on raw logits instead of softmax probabilities
 * @param tradesBeta        TRADES' beta (6 by default); ignored by other methods
 * @param fastAlpha         Fast-AT's FGSM step (1.25 eps by default); ignored by other methods. On the wire
 *                          {@code fgsm_alpha}, its name since version 1
 * @param warmupEpochs      HAM: epochs of plain PGD-AT before HAM starts (0 allowed)
 * @param weighting         HAM: tanh weights (true) or uniform ones (false), so that a worker measures the variation
 *                          only where the weights read it. Optional within version 2: absent (null) reads as true,
 *                          the variation measured, as a producer that does not write the field expects
 * @param classEps          per-class budgets of the attack, one per class (each row attacked within its class's,
 *                          alpha scaled alike); optional within version 2: absent (null) is eps for every class
 */
public record AttackSettings(String method, float eps, float alpha, int steps, int dropStep, String norm,
                             boolean randomStart, boolean variationOnLogits, float tradesBeta,
                             @JsonProperty("fgsm_alpha") float fastAlpha,
                             int warmupEpochs, @Nullable Boolean weighting,
                             @Nullable @JsonProperty("class_eps") java.util.List<Float> classEps) {
    public AttackSettings {
        Require.nonBlank(method, "settings.method");
        Require.nonBlank(norm, "settings.norm");
        if (classEps != null && classEps.stream().anyMatch(e -> e == null || !(e > 0) || e.isInfinite())) {
            throw new IllegalArgumentException("settings.class_eps must hold finite budgets > 0, got " + classEps);
        }
        classEps = classEps == null ? null : java.util.List.copyOf(classEps);
    }

    /** Settings as a sender before {@code class_eps} wrote them: the field absent. */
    public AttackSettings(String method, float eps, float alpha, int steps, int dropStep, String norm,
                          boolean randomStart, boolean variationOnLogits, float tradesBeta, float fastAlpha,
                          int warmupEpochs, Boolean weighting) {
        this(method, eps, alpha, steps, dropStep, norm, randomStart, variationOnLogits, tradesBeta, fastAlpha,
                warmupEpochs, weighting, null);
    }

    /** Settings as a sender before {@code weighting} wrote them: the field absent. */
    public AttackSettings(String method, float eps, float alpha, int steps, int dropStep, String norm,
                          boolean randomStart, boolean variationOnLogits, float tradesBeta, float fastAlpha,
                          int warmupEpochs) {
        this(method, eps, alpha, steps, dropStep, norm, randomStart, variationOnLogits, tradesBeta, fastAlpha,
                warmupEpochs, null, null);
    }
}
