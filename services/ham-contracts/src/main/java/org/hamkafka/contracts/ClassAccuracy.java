package org.hamkafka.contracts;

import java.util.List;

/**
 * Class-wise accuracy and its robust-fairness aggregates (fractions in [0, 1]), as computed by
 * ham-core's {@code FairnessMetrics} (the one definition; ham-contract-mapping carries them over).
 *
 * @param average    mean of the per-class accuracies
 * @param worst      lowest per-class accuracy (the headline fairness number)
 * @param best       highest per-class accuracy
 * @param std        population standard deviation of the per-class accuracies
 * @param nstd       std / average (0 when average is 0)
 * @param worstClass name of the class with the lowest accuracy (first one on ties)
 * @param perClass   accuracy of each class, aligned with the report's {@code classes}
 */
public record ClassAccuracy(double average, double worst, double best, double std, double nstd, String worstClass,
                            double[] perClass) {
    public ClassAccuracy {
        Require.nonNull(worstClass, "worst_class");
        Require.nonNull(perClass, "per_class");
    }
}
