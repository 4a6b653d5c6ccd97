package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.TradesAttack;
import org.hamkafka.core.model.Classifier;

/**
 * TRADES (Zhang et al.): the attack maximises KL(p(x)||p(x')) from x + 0.001·N(0,1); the loss is
 * {@code mean_i CE(f(x_i), y_i) + β · mean_i KL(p(x_i) || p(x_adv,i))}, both forwards in training
 * mode and the gradient flowing through both (as in the reference code).
 *
 * <p>Paper:
 * Hongyang Zhang et al., "Theoretically Principled Trade-off between Robustness and Accuracy", ICML 2019.
 */
public final class TradesTraining implements TrainingMethod {
    private final float eps;
    private final float alpha;
    private final int steps;
    private final float beta;
    private final Norm norm;
    /** The whole loss's class weights, or (with {@link #boundaryWeights}) the natural term's. */
    private final ClassWeights classWeights;
    /** The KL term's own class weights (FRL's); null: the KL term takes {@link #classWeights} too. */
    private final ClassWeights boundaryWeights;
    private final ClassEps classEps;

    public TradesTraining(float eps, float alpha, int steps, float beta, Norm norm) {
        this(eps, alpha, steps, beta, norm, ClassWeights.NONE, null, ClassEps.NONE);
    }

    private TradesTraining(float eps, float alpha, int steps, float beta, Norm norm, ClassWeights classWeights,
                           ClassWeights boundaryWeights, ClassEps classEps) {
        this.eps = eps;
        this.alpha = alpha;
        this.steps = steps;
        this.beta = beta;
        this.norm = norm;
        this.classWeights = classWeights;
        this.boundaryWeights = boundaryWeights;
        this.classEps = classEps;
    }

    @Override
    public TrainingMethod withClassWeights(ClassWeights weights) {
        return new TradesTraining(eps, alpha, steps, beta, norm, weights, null, classEps);
    }

    /**
     * TRADES with the natural (CE) and the boundary (KL) term weighted by class apart, as FRL re-weights them:
     * {@code (1/n) Σ (natural_{y_i}·CE_i + β·boundary_{y_i}·KL_i)}, each relative to its mean.
     */
    public TradesTraining withTermWeights(ClassWeights natural, ClassWeights boundary) {
        return new TradesTraining(eps, alpha, steps, beta, norm, natural, boundary, classEps);
    }

    @Override
    public TrainingMethod withClassEps(ClassEps budgets) {
        return new TradesTraining(eps, alpha, steps, beta, norm, classWeights, boundaryWeights, budgets);
    }

    @Override
    public String name() {
        return "trades";
    }

    /** Counted passes: one clean forward (p(x)), then K forward and K backward passes. */
    @Override
    public AttackOutput attack(Classifier f, NDArray x, NDArray y, long[] exampleIds, long seed, int epoch) {
        long t0 = System.nanoTime();
        int n = (int) x.getShape().get(0);
        NDArray start = Starts.trades(x, seed, exampleIds);
        NDArray scale = classEps.rows(y); // null: every row within eps; TRADES' start is tiny, inside any ball
        NDArray adv = new TradesAttack(eps, alpha, steps, norm, seed).perturb(f, x, y, start, scale);
        start.close();
        if (scale != null) {
            scale.close();
        }
        return new AttackOutput(adv, Starts.all(n), null,
                new AttackStats(n, n, (long) n * (steps + 1), (long) n * steps, (System.nanoTime() - t0) / 1e6));
    }

    @Override
    public StepResult train(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, AttackOutput attack, float lr,
                            int epoch) {
        int n = (int) x.getShape().get(0);
        if (attack.adversarial() == null || attack.keptIndices().length != n) {
            throw new IllegalArgumentException("TRADES trains on every row: expected " + n
                    + " adversarial rows, got " + attack.keptIndices().length);
        }
        float loss = boundaryWeights == null
                ? step(f, optimizer, x, attack.adversarial(), y, classWeights.apply(null, y), beta, lr)
                : stepByTerm(f, optimizer, x, attack.adversarial(), y, classWeights.apply(null, y),
                boundaryWeights.apply(null, y), lr);
        return new StepResult(loss, n, n, true, attack.stats(), 2L * n, 2L * n);
    }

    /**
     * One optimizer step on TRADES' loss {@code (1/n) Σ w_i · (CE(f(x_i), y_i) + β·KL(p(x_i) || p(x_adv,i)))},
     * both forwards in training mode, the gradient through both; {@code weights} null means all ones
     * (TRADES itself; HAM on TRADES passes its ŵ of the hard rows).
     *
     * @return the loss value
     */
    static float step(Classifier f, SgdMomentum optimizer, NDArray x, NDArray adversarial, NDArray y, float[] weights,
                      float beta, float lr) {
        return WeightedLoss.step(f, optimizer, x, weights, lr, scope -> terms(f, scope, x, adversarial, y, beta, null, null));
    }

    /** One optimizer step on {@code (1/n) Σ (natural_i·CE_i + β·boundary_i·KL_i)} (null weights: all ones). */
    private float stepByTerm(Classifier f, SgdMomentum optimizer, NDArray x, NDArray adversarial, NDArray y,
                             float[] natural, float[] boundary, float lr) {
        return WeightedLoss.step(f, optimizer, x, null, lr,
                scope -> terms(f, scope, x, adversarial, y, beta, natural, boundary));
    }

    /**
     * TRADES' per-row loss {@code CE + β·KL}, in training mode, the gradient through both forwards; with per-row
     * {@code natural} and {@code boundary} weights (both non-null) each term weighted apart.
     */
    private static NDArray terms(Classifier f, ai.djl.ndarray.NDManager scope, NDArray x, NDArray adversarial, NDArray y,
                                 float beta, float[] natural, float[] boundary) {
        NDArray clean = x.stopGradient();
        NDArray adv = adversarial.stopGradient();
        clean.attach(scope);
        adv.attach(scope);
        NDArray logitsClean = f.logits(clean, true);
        logitsClean.attach(scope);
        NDArray logitsAdv = f.logits(adv, true);
        logitsAdv.attach(scope);
        NDArray ce = WeightedLoss.crossEntropy(logitsClean, y);
        NDArray logpClean = logitsClean.logSoftmax(1);
        NDArray logpAdv = logitsAdv.logSoftmax(1);
        // KL(p(x) || p(x_adv)) = Σ_c p_c(x) (log p_c(x) - log p_c(x_adv)), per row
        NDArray kl = logpClean.exp().mul(logpClean.sub(logpAdv)).sum(new int[]{1});
        if (natural == null) {
            return ce.add(kl.mul(beta));
        }
        return ce.mul(scope.create(natural)).add(kl.mul(scope.create(boundary)).mul(beta));
    }
}
