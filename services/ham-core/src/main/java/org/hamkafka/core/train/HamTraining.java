package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.EarlyDropPgd;
import org.hamkafka.core.attack.EarlyDropResult;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.model.Classifier;

/**
 * HAM: the first {@code warmupEpochs} epochs are plain PGD-AT; afterwards early-dropping PGD keeps
 * only the hard examples (misclassified at K') and the loss is {@code (1/n) Σ_hard ŵ_i·CE_i}.
 *
 * <p>HAM on TRADES ({@link #onTrades}, method "ham-trades"): the warm-up is TRADES, the early-dropping
 * attack ascends TRADES' KL from TRADES' start {@code x + 0.001·N(0,1)}, and the hard examples' TRADES
 * loss is re-weighted: {@code (1/n) Σ_hard ŵ_i·(CE(f(x_i), y_i) + β·KL(p(x_i) || p(x_adv,i)))}. The easy
 * examples are dropped from both terms, as HAM drops them from PGD-AT's.
 *
 * <p>The weights are computed in the training half, from the gathered variations: when a batch was
 * split across several attack workers, the normalisation ({@code v̂ = v·n/Σv}, {@code ŵ = w·n/Σw})
 * then runs over the whole batch's hard examples, exactly as in one process. A batch without any
 * hard example takes no optimizer step.
 *
 * <p>Paper:
 * Chenhao Lin et al., "Hard Adversarial Example Mining for Improving Robust Fairness", arXiv:2308.01823,
 * 2023 (the version with early-dropping, which this code follows; a revised version is in IEEE Transactions
 * on Information Forensics and Security).
 */
public final class HamTraining implements TrainingMethod {
    private final float eps;
    private final Norm norm;
    private final EarlyDropPgd earlyDrop;
    private final float lambda;
    private final float base;
    private final boolean weighting;
    private final int warmupEpochs;
    private final TrainingMethod warmup;
    /** β of the TRADES loss, or NaN for HAM on PGD-AT. */
    private final float tradesBeta;
    /** Multiply ŵ_i by the hard example's class weight (and weigh the warm-up's loss the same). */
    private final ClassWeights classWeights;
    /** Each row's own budget in the early-drop attack (and in the warm-up's). */
    private final ClassEps classEps;

    /** HAM on PGD-AT. Throws (from {@link EarlyDropPgd}, which owns the rule 1 &lt;= K' &lt; K) for an impossible K'. */
    public HamTraining(float eps, float alpha, int steps, int dropStep, Norm norm, float lambda, float base,
                       boolean weighting, boolean variationOnLogits, int warmupEpochs) {
        this(eps, norm, new EarlyDropPgd(eps, alpha, steps, dropStep, norm, variationOnLogits), lambda, base,
                weighting, warmupEpochs, new PgdAdversarialTraining(eps, alpha, steps, norm), Float.NaN,
                ClassWeights.NONE, ClassEps.NONE);
    }

    private HamTraining(float eps, Norm norm, EarlyDropPgd earlyDrop, float lambda, float base, boolean weighting,
                        int warmupEpochs, TrainingMethod warmup, float tradesBeta, ClassWeights classWeights,
                        ClassEps classEps) {
        this.eps = eps;
        this.norm = norm;
        // uniform weights read no v: the attack does not spend the passes that only measure it
        this.earlyDrop = weighting ? earlyDrop : earlyDrop.withoutVariation();
        this.lambda = lambda;
        this.base = base;
        this.weighting = weighting;
        this.warmupEpochs = warmupEpochs;
        this.warmup = warmup;
        this.tradesBeta = tradesBeta;
        this.classWeights = classWeights;
        this.classEps = classEps;
    }

    @Override
    public TrainingMethod withClassWeights(ClassWeights weights) {
        return new HamTraining(eps, norm, earlyDrop, lambda, base, weighting, warmupEpochs,
                warmup.withClassWeights(weights), tradesBeta, weights, classEps);
    }

    /** The early-drop attack and the warm-up's take the budgets alike. */
    @Override
    public TrainingMethod withClassEps(ClassEps budgets) {
        return new HamTraining(eps, norm, earlyDrop, lambda, base, weighting, warmupEpochs,
                warmup.withClassEps(budgets), tradesBeta, classWeights, budgets);
    }

    /** HAM on TRADES with TRADES' β (see the class comment). */
    public static HamTraining onTrades(float eps, float alpha, int steps, int dropStep, Norm norm, float lambda,
                                       float base, boolean weighting, boolean variationOnLogits, int warmupEpochs,
                                       float tradesBeta) {
        return new HamTraining(eps, norm, new EarlyDropPgd(eps, alpha, steps, dropStep, norm, variationOnLogits,
                EarlyDropPgd.Objective.TRADES_KL), lambda, base, weighting, warmupEpochs,
                new TradesTraining(eps, alpha, steps, tradesBeta, norm), tradesBeta, ClassWeights.NONE, ClassEps.NONE);
    }

    private boolean onTrades() {
        return !Float.isNaN(tradesBeta);
    }

    @Override
    public String name() {
        return onTrades() ? "ham-trades" : "ham";
    }

    /** True in the warm-up epochs, which are plain PGD-AT. */
    public boolean inWarmup(int epoch) {
        return epoch < warmupEpochs;
    }

    @Override
    public AttackOutput attack(Classifier f, NDArray x, NDArray y, long[] exampleIds, long seed, int epoch) {
        if (inWarmup(epoch)) {
            return warmup.attack(f, x, y, exampleIds, seed, epoch);
        }
        NDArray scale = classEps.rows(y); // null: every row within eps
        // TRADES' start is tiny (0.001·N(0,1)), inside any ball
        NDArray start = onTrades() ? Starts.trades(x, seed, exampleIds)
                : ClassEps.scaleStart(Starts.uniform(x, seed, exampleIds, eps, norm), scale);
        EarlyDropResult r = earlyDrop.attack(f, x, y, start, scale);
        if (start != null) {
            start.close();
        }
        if (scale != null) {
            scale.close();
        }
        return new AttackOutput(r.hardAdversarial(), r.hardIndices(), r.variation(), r.stats());
    }

    @Override
    public StepResult train(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, AttackOutput attack, float lr,
                            int epoch) {
        if (inWarmup(epoch)) {
            return warmup.train(f, optimizer, x, y, attack, lr, epoch);
        }
        int batch = (int) x.getShape().get(0);
        int[] hard = attack.keptIndices();
        int n = hard.length;
        if (n == 0) {
            // every example stayed on the right side of the boundary at K': nothing to learn from
            return new StepResult(Float.NaN, batch, 0, false, attack.stats(), 0, 0);
        }
        if (attack.variation() == null || attack.variation().length != n || attack.adversarial() == null) {
            throw new IllegalArgumentException("HAM needs the hard examples' adversarial rows and variations ("
                    + n + " kept indices)");
        }
        float loss;
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray idx = scope.create(Starts.toLong(hard));
            NDArray yHard = y.get(idx);
            yHard.attach(scope);
            float[] w = classWeights.apply(hardWeights(attack.variation()), yHard);
            if (onTrades()) {
                NDArray xHard = x.get(idx);
                xHard.attach(scope);
                loss = TradesTraining.step(f, optimizer, xHard, attack.adversarial(), yHard, w, tradesBeta, lr);
                return new StepResult(loss, batch, n, true, attack.stats(), 2L * n, 2L * n);
            }
            loss = WeightedLoss.step(f, optimizer, attack.adversarial(), yHard, w, lr);
        }
        return WeightedLoss.result(loss, batch, n, attack.stats());
    }

    /** ŵ of the hard examples from their variations (mean 1), or all ones in the uniform variant. */
    public float[] hardWeights(float[] variation) {
        return weighting ? HardExampleWeights.weights(variation, lambda, base)
                : HardExampleWeights.uniform(variation.length);
    }
}
