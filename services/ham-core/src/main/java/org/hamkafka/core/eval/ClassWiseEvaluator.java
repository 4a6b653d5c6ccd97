package org.hamkafka.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.Attack;
import org.hamkafka.core.attack.AutoAttack;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Clean and robust accuracy per class over a data set, in batches, model in inference mode. An
 * example counts as robust under an attack when f classifies the attack's output correctly, and in the
 * worst case when it is robust under every attack (see {@link ClassWiseReport}). The attacks by name:
 * {@link org.hamkafka.core.attack.EvaluationAttacks}.
 *
 * <p>For each attack that returns its adversarial examples (not AutoAttack, which reports predictions), it
 * also counts per class the <em>over-confident</em> ones (the paper's "adversarial confidence
 * overfitting", its Figures 2 and 3): {@code p_y(x_adv) > p_y(x)}, the true class more probable after the
 * attack than on the clean input.
 *
 * <p>Before attacking, the {@link SanityChecks} run on the first batch; the ones that fail are the report's
 * warnings.
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

    public ClassWiseReport evaluate(Classifier f, Dataset data) {
        return evaluate(f, data, null);
    }

    /** @param afterBatch called with the number of examples done so far (progress), may be null */
    public ClassWiseReport evaluate(Classifier f, Dataset data, IntConsumer afterBatch) {
        int k = data.info().numClasses();
        long[][] clean = new long[k][k];
        Map<String, long[][]> robust = new LinkedHashMap<>();
        Map<String, ClassWiseReport.AttackInfo> info = new LinkedHashMap<>();
        for (Attack a : attacks) {
            List<String> stages = a instanceof AutoAttack aa ? aa.stages() : List.of();
            if (info.put(a.name(), new ClassWiseReport.AttackInfo(a.settings(), stages, 0, 0, 0)) != null) {
                throw new IllegalArgumentException("evaluation attack '" + a.name() + "' is listed twice");
            }
            for (String stage : stages.subList(0, Math.max(0, stages.size() - 1))) {
                robust.put(a.name() + ":" + stage, new long[k][k]);
            }
            robust.put(a.name(), new long[k][k]);
        }
        Map<String, long[]> overConfident = new LinkedHashMap<>();
        for (Attack a : attacks) {
            if (!(a instanceof AutoAttack)) {
                overConfident.put(a.name(), new long[k]);
            }
        }
        long[][] worst = attacks.size() > 1 ? new long[k][k] : null;
        List<String> warnings = List.of();
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
                NDArray cleanLogits = f.logits(x, false);
                if (from == 0) {
                    warnings = SanityChecks.run(f, x, y, cleanLogits, k, attacks);
                }
                count(clean, labels, cleanLogits.argMax(1).toLongArray());
                float[] cleanConfidence = trueClassProbability(cleanLogits, y);
                // per example, the first attack's wrong prediction (else the true class): the worst case
                long[] worstPredicted = labels.clone();
                for (Attack a : attacks) {
                    long[] predicted = run(a, f, x, y, robust, labels, info, overConfident.get(a.name()),
                            cleanConfidence);
                    for (int i = 0; i < labels.length; i++) {
                        if (worstPredicted[i] == labels[i]) {
                            worstPredicted[i] = predicted[i];
                        }
                    }
                }
                if (worst != null) {
                    count(worst, labels, worstPredicted);
                }
            }
            if (afterBatch != null) {
                afterBatch.accept(from + rows.length);
            }
        }
        if (worst != null) {
            robust.put(ClassWiseReport.WORST_CASE, worst);
        }
        return new ClassWiseReport(data.info().classNames(), clean, robust, info, overConfident, warnings);
    }

    /** Runs one attack on a batch, counts its (and its stages') predictions; returns its final predictions. */
    private static long[] run(Attack a, Classifier f, NDArray x, NDArray y, Map<String, long[][]> robust,
                              long[] labels, Map<String, ClassWiseReport.AttackInfo> info, long[] overConfident,
                              float[] cleanConfidence) {
        long t0 = System.nanoTime();
        long forward0 = a.forwardRows();
        long backward0 = a.backwardRows();
        long[] predicted;
        long readOut = 0;
        if (a instanceof AutoAttack aa) {
            AutoAttack.Result r = aa.run(f, x, y);
            for (int s = 0; s < r.stages().size() - 1; s++) {
                count(robust.get(a.name() + ":" + r.stages().get(s)), labels, r.predictedAfter()[s]);
            }
            predicted = r.predictedAfter()[r.stages().size() - 1];
        } else {
            NDArray advLogits = f.logits(a.perturb(f, x, y), false);
            predicted = advLogits.argMax(1).toLongArray();
            float[] advConfidence = trueClassProbability(advLogits, y);
            for (int i = 0; i < labels.length; i++) {
                if (advConfidence[i] > cleanConfidence[i]) {
                    overConfident[(int) labels[i]]++;
                }
            }
            readOut = labels.length;
        }
        count(robust.get(a.name()), labels, predicted);
        info.put(a.name(), info.get(a.name()).plus(a.forwardRows() - forward0 + readOut, a.backwardRows() - backward0,
                (System.nanoTime() - t0) / 1e9));
        return predicted;
    }

    /** p_y(x) of each row. */
    private static float[] trueClassProbability(NDArray logits, NDArray y) {
        NDArray onehot = y.oneHot((int) logits.getShape().get(1)).toType(logits.getDataType(), false);
        return logits.softmax(1).mul(onehot).sum(new int[]{1}).toFloatArray();
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
