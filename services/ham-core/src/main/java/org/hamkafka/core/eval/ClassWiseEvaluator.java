package org.hamkafka.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.Attack;
import org.hamkafka.core.attack.CwPgd;
import org.hamkafka.core.attack.Fgsm;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Clean and robust accuracy per class over a data set, in batches, model in inference mode. An
 * example counts as robust under an attack when f classifies the attack's output correctly.
 */
public final class ClassWiseEvaluator {
    private final List<Attack> attacks;
    private final int batchSize;

    public ClassWiseEvaluator(List<Attack> attacks, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("evaluation batch size must be >= 1; got " + batchSize);
        }
        this.attacks = List.copyOf(attacks);
        this.batchSize = batchSize;
    }

    /**
     * The standard evaluation attacks by name: {@code pgd-<K>} (PGD, alpha = eps/4, random start),
     * {@code cw-<K>} (CW margin loss, alpha = eps/4, random start), {@code fgsm} (one step of eps).
     */
    public static List<Attack> attacks(List<String> names, float eps, Norm norm, long seed) {
        List<Attack> out = new ArrayList<>();
        for (String name : names) {
            String n = name.trim().toLowerCase();
            if (n.equals("fgsm")) {
                out.add(new Fgsm(eps, eps, norm, seed));
            } else if (n.matches("pgd-\\d+")) {
                out.add(new Pgd(eps, eps / 4f, Integer.parseInt(n.substring(4)), norm, true, seed));
            } else if (n.matches("cw-\\d+")) {
                out.add(new CwPgd(eps, eps / 4f, Integer.parseInt(n.substring(3)), norm, true, seed));
            } else {
                throw new IllegalArgumentException("evaluation attack must be pgd-<steps>, cw-<steps> or fgsm; got '"
                        + name + "'");
            }
        }
        return out;
    }

    public ClassWiseReport evaluate(Classifier f, Dataset data) {
        return evaluate(f, data, null);
    }

    /** @param afterBatch called with the number of examples done so far (progress), may be null */
    public ClassWiseReport evaluate(Classifier f, Dataset data, IntConsumer afterBatch) {
        int k = data.info().numClasses();
        long[][] clean = new long[k][k];
        Map<String, long[][]> robust = new LinkedHashMap<>();
        for (Attack a : attacks) {
            if (robust.put(a.name(), new long[k][k]) != null) {
                throw new IllegalArgumentException("evaluation attack '" + a.name() + "' is listed twice");
            }
        }
        int n = data.size();
        for (int from = 0; from < n; from += batchSize) {
            int[] rows = new int[Math.min(batchSize, n - from)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            try (NDManager m = f.manager().newSubManager()) {
                NDArray x = data.images(m, rows);
                NDArray y = data.labels(m, rows);
                long[] labels = y.toLongArray();
                count(clean, labels, predict(f, x));
                for (Attack a : attacks) {
                    NDArray adv = a.perturb(f, x, y);
                    count(robust.get(a.name()), labels, predict(f, adv));
                }
            }
            if (afterBatch != null) {
                afterBatch.accept(from + rows.length);
            }
        }
        return new ClassWiseReport(data.info().classNames(), clean, robust);
    }

    private static long[] predict(Classifier f, NDArray x) {
        return f.logits(x, false).argMax(1).toLongArray();
    }

    private static void count(long[][] m, long[] labels, long[] predicted) {
        for (int i = 0; i < labels.length; i++) {
            m[(int) labels[i]][(int) predicted[i]]++;
        }
    }

    public List<Attack> attacks() {
        return attacks;
    }
}
