package org.hamkafka.core.train;

import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.TradesAttack;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;

import java.util.ArrayList;
import java.util.List;

/**
 * WAT, worst-class adversarial training, on TRADES: exponential (Hedge) weights over C + 1 experts, the C classes
 * and their average. Before each epoch, on the validation split under TRADES' own attack, each expert's TRADES loss
 * ({@code CE + β·KL}; the average's over all examples) is added to its running sum {@code S}; the weights are
 * {@code w = C·softmax(η·S)} and class c's examples are weighted {@code w_c + w_C} (its own expert plus the
 * average's, which weighs every example). η = 0.1 as in the authors' code. Adapted: the class weights are taken
 * relative to their mean (the reference's total drifts with the average expert's share), and the rule also updates
 * before the first epoch, from the model it starts with (the reference, trained from scratch, starts uniform).
 *
 * <p>Paper: Boqi Li and Weiwei Liu, "WAT: Improve the Worst-class Robustness in Adversarial Training", AAAI 2023.
 */
public final class WatRule implements FairnessRule {
    private final float eps;
    private final float alpha;
    private final int steps;
    private final Norm norm;
    private final double beta;
    private final double eta;

    WatRule(float eps, float alpha, int steps, Norm norm, double beta, double eta) {
        this.eps = eps;
        this.alpha = alpha;
        this.steps = steps;
        this.norm = norm;
        this.beta = beta;
        this.eta = eta;
    }

    /** S, the summed validation losses of the C classes and (last) their average, all 0. */
    @Override
    public FairnessState initial(int classes) {
        return new FairnessState(-1, new double[classes + 1]);
    }

    @Override
    public ClassValidation measure(Classifier f, Dataset validation, int batchSize, long seed) {
        TradesAttack attack = new TradesAttack(eps, alpha, steps, norm, seed);
        return ClassValidation.measure(f, validation, (model, x, y, ids, s) -> {
            var start = Starts.trades(x, s, ids);
            var adv = attack.perturb(model, x, y, start);
            start.close();
            return adv;
        }, batchSize, seed);
    }

    /** Clean and adversarial forwards, TRADES' p(x) and its K steps. */
    @Override
    public long[] passes(int n) {
        return new long[]{(long) n * (steps + 3), (long) n * steps};
    }

    @Override
    public FairnessState update(FairnessState last, ClassValidation v, int epoch) {
        int classes = v.classes();
        double[] s = last.values();
        for (int c = 0; c < classes; c++) {
            s[c] += v.tradesLoss(c, beta);
        }
        s[classes] += v.totalTradesLoss(beta);
        return new FairnessState(epoch, s);
    }

    /** The experts' weights {@code C·softmax(η·S)}, C + 1 of them. */
    static double[] expertWeights(double[] sums, double eta) {
        int classes = sums.length - 1;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : sums) {
            max = Math.max(max, eta * x);
        }
        double[] w = new double[sums.length];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(eta * sums[i] - max); // shifted by the max: the same softmax, no overflow
            total += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = classes * w[i] / total;
        }
        return w;
    }

    /** Each class's weight: its expert's plus the average expert's. */
    static List<Float> classWeights(double[] sums, double eta) {
        double[] w = expertWeights(sums, eta);
        int classes = sums.length - 1;
        List<Float> out = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            out.add((float) (w[c] + w[classes]));
        }
        return out;
    }

    @Override
    public TrainingMethod method(TrainingMethod base, FairnessState s) {
        return base.withClassWeights(ClassWeights.of(classWeights(s.values(), eta)));
    }

    @Override
    public List<Float> classEps(FairnessState s) {
        return null;
    }
}
