package org.hamkafka.contracts;

import java.util.List;

/**
 * Class-wise accuracy and its robust-fairness aggregates (fractions in [0, 1]).
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

    /** Aggregates per-class accuracies; {@code classes} and {@code perClass} must be aligned. */
    public static ClassAccuracy fromPerClass(List<String> classes, double[] perClass) {
        if (classes == null || perClass == null || classes.size() != perClass.length || perClass.length == 0) {
            throw new IllegalArgumentException("classes and per_class must be non-empty and of equal length");
        }
        double sum = 0;
        int worst = 0;
        int best = 0;
        for (int c = 0; c < perClass.length; c++) {
            sum += perClass[c];
            if (perClass[c] < perClass[worst]) {
                worst = c;
            }
            if (perClass[c] > perClass[best]) {
                best = c;
            }
        }
        double mean = sum / perClass.length;
        double sq = 0;
        for (double a : perClass) {
            sq += (a - mean) * (a - mean);
        }
        double std = Math.sqrt(sq / perClass.length);
        return new ClassAccuracy(mean, perClass[worst], perClass[best], std, mean == 0 ? 0 : std / mean,
                classes.get(worst), perClass.clone());
    }
}
