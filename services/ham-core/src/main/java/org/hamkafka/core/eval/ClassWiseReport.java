package org.hamkafka.core.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Class-wise evaluation of one model: the clean confusion matrix and one per robust evaluation
 * ({@code m[true][predicted]}, counts of test examples).
 *
 * <p>The robust evaluations, in order: each attack by its name ({@code pgd-20}, {@code autoattack-standard});
 * for an ensemble also the robust accuracy after each of its stages but the last
 * ({@code autoattack-standard:apgd-ce}); and, when more than one attack ran, {@value #WORST_CASE}: an
 * example is robust only if it survives every attack. The headline robust accuracy is the worst case
 * (a strong attack that disagrees with a weak one wins), or the only attack's.
 *
 * @param attackInfo    per attack (not per stage): its settings, the passes and the seconds it spent
 * @param overConfident per attack that returns its adversarial examples (not AutoAttack), per class: how many
 *                      test examples' adversarial example gave the true class a higher probability than the
 *                      clean example did ({@code p_y(x_adv) > p_y(x)}, the paper's over-confident AEs)
 * @param warnings      the {@link SanityChecks} that failed, one sentence each; empty when all passed
 */
public record ClassWiseReport(List<String> classNames, long[][] cleanConfusion,
                              Map<String, long[][]> robustConfusion, Map<String, AttackInfo> attackInfo,
                              Map<String, long[]> overConfident, List<String> warnings) {
    /** The name of the per-example worst case over all attacks. */
    public static final String WORST_CASE = "worst-case";

    /**
     * What one attack cost and how it was set.
     *
     * @param stages       the stages of an ensemble in order (empty for a single attack)
     * @param forwardRows  example-rows of forward passes, the one that reads the attack's output included
     * @param backwardRows example-rows of backward passes
     */
    public record AttackInfo(Map<String, Object> settings, List<String> stages,
                             @JsonProperty("forward_rows") long forwardRows,
                             @JsonProperty("backward_rows") long backwardRows, double seconds) {
        public AttackInfo {
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            stages = List.copyOf(stages);
        }

        AttackInfo plus(long forward, long backward, double s) {
            return new AttackInfo(settings, stages, forwardRows + forward, backwardRows + backward, seconds + s);
        }
    }

    public ClassWiseReport {
        classNames = List.copyOf(classNames);
        robustConfusion = Collections.unmodifiableMap(new LinkedHashMap<>(robustConfusion));
        attackInfo = Collections.unmodifiableMap(new LinkedHashMap<>(attackInfo));
        overConfident = Collections.unmodifiableMap(new LinkedHashMap<>(overConfident));
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        for (Map.Entry<String, long[]> e : overConfident.entrySet()) {
            if (e.getValue().length != classNames.size()) {
                throw new IllegalArgumentException("over-confident counts of " + e.getKey() + " have "
                        + e.getValue().length + " classes, not " + classNames.size());
            }
        }
    }

    /** A report without sanity warnings. */
    public ClassWiseReport(List<String> classNames, long[][] cleanConfusion, Map<String, long[][]> robustConfusion,
                           Map<String, AttackInfo> attackInfo, Map<String, long[]> overConfident) {
        this(classNames, cleanConfusion, robustConfusion, attackInfo, overConfident, List.of());
    }

    /** A report without over-confidence counts. */
    public ClassWiseReport(List<String> classNames, long[][] cleanConfusion, Map<String, long[][]> robustConfusion,
                           Map<String, AttackInfo> attackInfo) {
        this(classNames, cleanConfusion, robustConfusion, attackInfo, Map.of());
    }

    /** A report without attack details (settings, passes, seconds). */
    public ClassWiseReport(List<String> classNames, long[][] cleanConfusion, Map<String, long[][]> robustConfusion) {
        this(classNames, cleanConfusion, robustConfusion, Map.of());
    }

    /**
     * Per attack with counts, per class: the share of the class's test examples whose adversarial example is
     * over-confident (see {@code overConfident}); 0 for a class without examples.
     */
    public Map<String, double[]> overConfidentShares() {
        long[] n = classCounts();
        Map<String, double[]> out = new LinkedHashMap<>();
        overConfident.forEach((a, counts) -> {
            double[] share = new double[counts.length];
            for (int c = 0; c < counts.length; c++) {
                share[c] = n[c] == 0 ? 0 : (double) counts[c] / n[c];
            }
            out.put(a, share);
        });
        return out;
    }

    public FairnessMetrics clean() {
        return FairnessMetrics.fromConfusion(cleanConfusion, classNames);
    }

    /** Robust accuracy under the named evaluation (e.g. "pgd-20", "autoattack-standard", "worst-case"). */
    public FairnessMetrics robust(String attack) {
        long[][] m = robustConfusion.get(attack);
        if (m == null) {
            throw new IllegalArgumentException("no evaluation under attack '" + attack + "'; evaluated: "
                    + robustConfusion.keySet());
        }
        return FairnessMetrics.fromConfusion(m, classNames);
    }

    /** Every robust evaluation's name, in order (attacks, ensemble stages, the worst case). */
    public List<String> attacks() {
        return List.copyOf(robustConfusion.keySet());
    }

    /**
     * The robust evaluation to quote: the worst case when several attacks ran, else the only attack; null
     * without attacks.
     */
    public String headline() {
        if (robustConfusion.containsKey(WORST_CASE)) {
            return WORST_CASE;
        }
        List<String> top = new ArrayList<>(attackInfo.keySet());
        if (top.size() == 1) {
            return top.get(0);
        }
        return robustConfusion.isEmpty() ? null : attacks().get(0);
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

    /** All test examples. */
    public long examples() {
        long n = 0;
        for (long c : classCounts()) {
            n += c;
        }
        return n;
    }
}
