package org.hamkafka.core.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Robust-fairness aggregates of per-class accuracies: average over classes, worst class (the headline
 * fairness number), best class, standard deviation across classes (population, i.e. divided by the
 * number of classes, as numpy's default) and normalized standard deviation std / mean.
 */
public record FairnessMetrics(double average, double worst, double best, double std, double nstd,
                              @JsonProperty("worst_class") String worstClass,
                              @JsonProperty("worst_class_index") int worstClassIndex,
                              @JsonProperty("best_class") String bestClass,
                              @JsonProperty("per_class") double[] perClass) {

    /** From per-class accuracies; ties pick the lowest class index. */
    public static FairnessMetrics of(double[] perClass, List<String> classNames) {
        if (perClass.length == 0 || perClass.length != classNames.size()) {
            throw new IllegalArgumentException("need one accuracy per class: " + perClass.length + " accuracies, "
                    + classNames.size() + " class names");
        }
        int worst = 0;
        int best = 0;
        double sum = 0;
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
        // every class at 0 is no spread at all: nstd 0 (not 0/0), as the public ham.eval.results says
        double nstd = mean == 0 ? 0 : std / mean;
        return new FairnessMetrics(mean, perClass[worst], perClass[best], std, nstd, classNames.get(worst), worst,
                classNames.get(best), perClass.clone());
    }

    /**
     * From a confusion matrix {@code m[true][predicted]}: class c's accuracy is m[c][c] / Σ_j m[c][j]
     * (a class without examples has accuracy NaN and is rejected).
     */
    public static FairnessMetrics fromConfusion(long[][] m, List<String> classNames) {
        double[] acc = new double[m.length];
        for (int c = 0; c < m.length; c++) {
            if (m[c].length != m.length) {
                throw new IllegalArgumentException("confusion matrix must be square; row " + c + " has "
                        + m[c].length + " entries, expected " + m.length);
            }
            long row = 0;
            for (long v : m[c]) {
                row += v;
            }
            if (row == 0) {
                throw new IllegalArgumentException("class " + classNames.get(c) + " has no examples in the "
                        + "confusion matrix: its accuracy is undefined");
            }
            acc[c] = (double) m[c][c] / row;
        }
        return of(acc, classNames);
    }

    /**
     * DAFA's trade-off score of a new run against a baseline:
     * {@code ρ = (worst_new - worst_base)/worst_base - (avg_base - avg_new)/avg_base}; higher is better.
     */
    public static double rho(double worstNew, double worstBase, double avgNew, double avgBase) {
        if (!(worstBase > 0) || !(avgBase > 0)) {
            throw new IllegalArgumentException("rho needs a baseline with worst-class and average accuracy > 0; got worst "
                    + worstBase + ", average " + avgBase);
        }
        return (worstNew - worstBase) / worstBase - (avgBase - avgNew) / avgBase;
    }

    /** ρ of this run (new) against a baseline's metrics. */
    public double rhoAgainst(FairnessMetrics base) {
        return rho(worst, base.worst, average, base.average);
    }
}
