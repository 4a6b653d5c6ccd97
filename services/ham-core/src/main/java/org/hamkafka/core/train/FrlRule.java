package org.hamkafka.core.train;

import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.Pgd;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;

import java.util.ArrayList;
import java.util.List;

/**
 * FRL-RWRM, fair robust learning by re-weighting and re-margining, on TRADES. Before each epoch, on the validation
 * split under PGD-20: each class's clean error and boundary error (right clean, wrong attacked) against the
 * averages plus τ give the violations {@code γ0_c}, {@code γ1_c}; the multipliers move
 * {@code λ0 += α·γ0}, {@code λ1 += 2α·γ1} (each clipped at 0 and scaled back to a sum of at most 0.5) and
 * {@code λ2 += 2α·γ1}. The epoch then trains TRADES with natural-loss weights {@code 1/C + λ0_c − mean λ0},
 * boundary-loss weights from λ1 alike, and each class attacked within {@code eps·clamp(exp(2·λ2_c), 0.98, 2.5)}.
 * Values follow the authors' code (α 0.05, τ 0.1, the 0.5 cap, the margin's clamp). Adapted: our class weights are
 * taken relative to their mean (a batch's loss scale does not move with its class mix; the reference divides by the
 * batch's summed weight) and the rule updates before every epoch, the first included, from the model it starts with.
 *
 * <p>Paper: Han Xu et al., "To be Robust or to be Fair: Towards Fairness in Adversarial Training", ICML 2021.
 */
public final class FrlRule implements FairnessRule {
    /** The multipliers' cap on their sum (the reference's {@code lim}). */
    static final double LIMIT = 0.5;
    /** Validation attack: PGD-20, as the reference measures its boundary errors. */
    static final int VALIDATION_STEPS = 20;

    private final float eps;
    private final float alpha;
    private final Norm norm;
    private final double rate;
    private final double bound;

    FrlRule(float eps, float alpha, Norm norm, double rate, double bound) {
        this.eps = eps;
        this.alpha = alpha;
        this.norm = norm;
        this.rate = rate;
        this.bound = bound;
    }

    /** λ0 (clean), λ1 (boundary), λ2 (margin), C each, all 0. */
    @Override
    public FairnessState initial(int classes) {
        return new FairnessState(-1, new double[3 * classes]);
    }

    @Override
    public ClassValidation measure(Classifier f, Dataset validation, int batchSize, long seed) {
        Pgd pgd = new Pgd(eps, alpha, VALIDATION_STEPS, norm, true, seed);
        return ClassValidation.measure(f, validation, (model, x, y, ids, s) -> {
            var start = Starts.uniform(x, s, ids, eps, norm);
            var adv = pgd.perturb(model, x, y, start);
            if (start != null) {
                start.close();
            }
            return adv;
        }, batchSize, seed);
    }

    @Override
    public long[] passes(int n) {
        return new long[]{(long) n * (VALIDATION_STEPS + 2), (long) n * VALIDATION_STEPS};
    }

    @Override
    public FairnessState update(FairnessState last, ClassValidation v, int epoch) {
        int classes = v.classes();
        double[] l = last.values();
        double[] next = new double[3 * classes];
        double[] l0 = new double[classes];
        double[] l1 = new double[classes];
        for (int c = 0; c < classes; c++) {
            double g0 = v.cleanError(c) - v.totalCleanError() - bound;
            double g1 = v.boundaryError(c) - v.totalBoundaryError() - bound;
            l0[c] = l[c] + rate * g0;
            l1[c] = l[classes + c] + 2 * rate * g1;
            next[2 * classes + c] = l[2 * classes + c] + 2 * rate * g1;
        }
        System.arraycopy(capped(l0), 0, next, 0, classes);
        System.arraycopy(capped(l1), 0, next, classes, classes);
        return new FairnessState(epoch, next);
    }

    /** Clipped at 0, then scaled to a sum of {@link #LIMIT} if it is above it. */
    static double[] capped(double[] lambda) {
        double[] out = new double[lambda.length];
        double sum = 0;
        for (int c = 0; c < out.length; c++) {
            out[c] = Math.max(0, lambda[c]);
            sum += out[c];
        }
        if (sum > LIMIT) {
            for (int c = 0; c < out.length; c++) {
                out[c] = LIMIT * out[c] / sum;
            }
        }
        return out;
    }

    /** Class weights {@code 1/C + λ_c − mean λ} of one block of the multipliers (they sum to 1). */
    static List<Float> weights(double[] values, int block, int classes) {
        double mean = 0;
        for (int c = 0; c < classes; c++) {
            mean += values[block * classes + c] / classes;
        }
        List<Float> w = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            w.add((float) (1.0 / classes + values[block * classes + c] - mean));
        }
        return w;
    }

    @Override
    public TrainingMethod method(TrainingMethod base, FairnessState s) {
        int classes = s.values().length / 3;
        double[] v = s.values();
        return ((TradesTraining) base).withTermWeights(ClassWeights.of(weights(v, 0, classes)),
                ClassWeights.of(weights(v, 1, classes))).withClassEps(ClassEps.of(classEps(s), eps));
    }

    @Override
    public List<Float> classEps(FairnessState s) {
        double[] v = s.values();
        int classes = v.length / 3;
        List<Float> out = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            out.add((float) (eps * Math.min(2.5, Math.max(0.98, Math.exp(2 * v[2 * classes + c])))));
        }
        return out;
    }
}
