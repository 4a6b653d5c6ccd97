package org.hamkafka.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Class-wise evaluation of one model: the clean confusion matrix and one per attack
 * ({@code m[true][predicted]}, counts of test examples).
 */
public record ClassWiseReport(List<String> classNames, long[][] cleanConfusion,
                              Map<String, long[][]> robustConfusion) {
    public ClassWiseReport {
        classNames = List.copyOf(classNames);
        robustConfusion = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(robustConfusion));
    }

    public FairnessMetrics clean() {
        return FairnessMetrics.fromConfusion(cleanConfusion, classNames);
    }

    /** Robust accuracy under the named attack (e.g. "pgd-20"). */
    public FairnessMetrics robust(String attack) {
        long[][] m = robustConfusion.get(attack);
        if (m == null) {
            throw new IllegalArgumentException("no evaluation under attack '" + attack + "'; evaluated: "
                    + robustConfusion.keySet());
        }
        return FairnessMetrics.fromConfusion(m, classNames);
    }

    public List<String> attacks() {
        return List.copyOf(robustConfusion.keySet());
    }

    /** Examples of each class. */
    public long[] classCounts() {
        long[] n = new long[cleanConfusion.length];
        for (int c = 0; c < n.length; c++) {
            for (long v : cleanConfusion[c]) {
                n[c] += v;
            }
        }
        return n;
    }
}
