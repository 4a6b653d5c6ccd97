package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.GradientLock;

/**
 * A model measured class by class on the validation split, clean and under a training-time attack: what the
 * {@link FairnessRule}s update from. Per class: examples, clean and adversarial hits, the summed clean
 * cross-entropy and the summed {@code KL(p(x) || p(x_adv))} (TRADES' two terms).
 */
public record ClassValidation(int[] count, int[] cleanCorrect, int[] advCorrect, double[] ceSum, double[] klSum) {
    /** An attack on one validation batch; {@code ids} are the rows' indices in the split (their random starts). */
    public interface Adversary {
        NDArray perturb(Classifier f, NDArray x, NDArray y, long[] ids, long seed);
    }

    public int classes() {
        return count.length;
    }

    /** Share of class c's examples misclassified clean. */
    public double cleanError(int c) {
        return 1.0 - (double) cleanCorrect[c] / count[c];
    }

    /** Share of class c's examples right clean and wrong under the attack (FRL's boundary error). */
    public double boundaryError(int c) {
        return (double) (cleanCorrect[c] - advCorrect[c]) / count[c];
    }

    public double totalCleanError() {
        return 1.0 - (double) sum(cleanCorrect) / sum(count);
    }

    public double totalBoundaryError() {
        return (double) (sum(cleanCorrect) - sum(advCorrect)) / sum(count);
    }

    /** TRADES' loss of class c, its mean {@code CE + β·KL}. */
    public double tradesLoss(int c, double beta) {
        return (ceSum[c] + beta * klSum[c]) / count[c];
    }

    /** TRADES' loss over all the split's examples. */
    public double totalTradesLoss(double beta) {
        double ce = 0;
        double kl = 0;
        for (int c = 0; c < classes(); c++) {
            ce += ceSum[c];
            kl += klSum[c];
        }
        return (ce + beta * kl) / sum(count);
    }

    private static long sum(int[] a) {
        long s = 0;
        for (int v : a) {
            s += v;
        }
        return s;
    }

    /**
     * Measures {@code f} on {@code split} in batches of {@code batchSize}: clean logits, the adversary's examples
     * (seeded by {@code seed}), their logits; inference mode throughout.
     */
    public static ClassValidation measure(Classifier f, Dataset split, Adversary adversary, int batchSize, long seed) {
        int classes = split.info().numClasses();
        int[] count = new int[classes];
        int[] clean = new int[classes];
        int[] adv = new int[classes];
        double[] ce = new double[classes];
        double[] kl = new double[classes];
        // the trainer's engine check may run on another thread: one gradient collector at a time
        synchronized (GradientLock.LOCK) {
            for (int from = 0; from < split.size(); from += batchSize) {
                int n = Math.min(batchSize, split.size() - from);
                int[] rows = new int[n];
                long[] ids = new long[n];
                for (int i = 0; i < n; i++) {
                    rows[i] = from + i;
                    ids[i] = from + i;
                }
                try (NDManager m = f.manager().newSubManager()) {
                    NDArray x = split.images(m, rows);
                    NDArray y = split.labels(m, rows);
                    NDArray logpClean = f.logits(x, false).logSoftmax(1);
                    NDArray xAdv = adversary.perturb(f, x, y, ids, seed);
                    NDArray logpAdv = f.logits(xAdv, false).logSoftmax(1);
                    float[] rowCe = WeightedLoss.crossEntropy(logpClean, y).toFloatArray();
                    float[] rowKl = logpClean.exp().mul(logpClean.sub(logpAdv)).sum(new int[]{1}).toFloatArray();
                    long[] predClean = logpClean.argMax(1).toType(DataType.INT64, false).toLongArray();
                    long[] predAdv = logpAdv.argMax(1).toType(DataType.INT64, false).toLongArray();
                    for (int i = 0; i < n; i++) {
                        int c = split.label(rows[i]);
                        count[c]++;
                        clean[c] += predClean[i] == c ? 1 : 0;
                        adv[c] += predAdv[i] == c ? 1 : 0;
                        ce[c] += rowCe[i];
                        kl[c] += rowKl[i];
                    }
                }
            }
        }
        for (int c = 0; c < classes; c++) {
            if (count[c] == 0) {
                throw new IllegalArgumentException("the validation split has no example of class " + c + " ('"
                        + split.info().classNames().get(c) + "'): " + PartialConfig.named("validationSize")
                        + " must give every class one");
            }
        }
        return new ClassValidation(count, clean, adv, ce, kl);
    }
}
