package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.hamkafka.core.model.Classifier;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * HAM's early-dropping PGD (spec "HAM = early-dropping + hard-AE reweighting", steps 1–2): PGD on
 * the cross-entropy from {@code x_0 = Π(x + delta0)} (or x when no delta0 is given); at step K' the
 * batch is classified once, the correctly classified (easy) examples are dropped, and only the
 * misclassified (hard) ones are attacked on to step K. Along the way it tracks, per example,
 * {@code v = max_{k=0..K} ||p(x_k) - p(x_{k-1})||_1} with {@code x_{-1} = x} (the k = 0 term compares
 * the clean input with the start); with {@code variationOnLogits} the raw logits replace p.
 *
 * <p>Passes (spec "Efficiency"): the forward of the gradient computation at step k+1 yields f(x_k),
 * so no extra forward follows a step. With N examples in and n hard ones, the rows counted in
 * {@link AttackStats} are exactly
 * <pre>
 * forwardRows  = N            clean f(x), the k = 0 term
 *              + N·K'         gradient steps 1..K', whose forwards give f(x_0..x_{K'-1})
 *              + N            no-grad classification of x_{K'}, which also gives p(x_{K'})
 *              + n·(K - K')   gradient steps K'+1..K on the hard rows (f(x_{K'}) again, then f(x_{K'+1}..x_{K-1}))
 *              + n            final f(x_K) of the hard rows (only when n > 0)
 * backwardRows = N·K' + n·(K - K')
 * </pre>
 * The gradient forward at step K'+1 recomputes f(x_{K'}) for the hard rows; its term is already in v
 * from the classification pass, so it is not counted twice.
 *
 * <p>The loss the attack ascends is its {@link Objective}: the cross-entropy (HAM on PGD-AT) or TRADES'
 * {@code KL(p(x) || p(x'))} (HAM on TRADES), whose p(x) is the clean forward above, so it costs no
 * extra pass; the drop at K' is the same misclassification test for both.
 *
 * <p>Its steps are {@link PgdStep}s inside a {@link FrozenModel}, as in {@link Pgd}. Not an {@link Attack}: it
 * returns the hard subset only. Thread-safe (no mutable state).
 *
 * <p>Paper:
 * Chenhao Lin et al., "Hard Adversarial Example Mining for Improving Robust Fairness", arXiv:2308.01823,
 * 2023 (the version with early-dropping, which this code follows; a revised version is in IEEE Transactions
 * on Information Forensics and Security).
 */
public final class EarlyDropPgd {
    /** The loss each step ascends. */
    public enum Objective {
        /** {@code CE(f(x'), y)}, averaged over the rows: PGD-AT's attack. */
        CROSS_ENTROPY,
        /** {@code KL(p(x) || p(x'))} summed over the rows, as {@link TradesAttack}: TRADES' attack (labels unused). */
        TRADES_KL
    }

    private final PgdStep pgd;
    private final int steps;
    private final int dropStep;
    private final boolean variationOnLogits;
    private final Objective objective;
    /** False when nothing reads v (HAM with uniform weights): the passes that only feed it are not spent. */
    private final boolean measureVariation;

    /**
     * The one rule for K': 1 &lt;= K' &lt; K (so K &gt;= 2). Null when {@code dropStep} is allowed, else
     * what is allowed (settings validation reports it by the setting's public name).
     */
    public static String dropStepProblem(int dropStep, int steps) {
        if (steps < 2) {
            return "needs K >= 2 so that 1 <= K' < K is possible; got K = " + steps;
        }
        if (dropStep < 1 || dropStep >= steps) {
            return "must satisfy 1 <= K' < K = " + steps + " (allowed: 1.." + (steps - 1) + "); got K' = " + dropStep;
        }
        return null;
    }

    /**
     * @param steps    K, the total number of attack steps for hard examples
     * @param dropStep K', the step at which easy examples are dropped, 1 <= K' < K
     */
    public EarlyDropPgd(float eps, float alpha, int steps, int dropStep, Norm norm, boolean variationOnLogits) {
        this(eps, alpha, steps, dropStep, norm, variationOnLogits, Objective.CROSS_ENTROPY);
    }

    public EarlyDropPgd(float eps, float alpha, int steps, int dropStep, Norm norm, boolean variationOnLogits,
                        Objective objective) {
        this(eps, alpha, steps, dropStep, norm, variationOnLogits, objective, true);
    }

    private EarlyDropPgd(float eps, float alpha, int steps, int dropStep, Norm norm, boolean variationOnLogits,
                         Objective objective, boolean measureVariation) {
        AttackMath.checkSettings(eps, alpha, steps);
        String problem = dropStepProblem(dropStep, steps);
        if (problem != null) {
            throw new IllegalArgumentException("K' (dropStep) " + problem);
        }
        this.pgd = new PgdStep(eps, alpha, AttackMath.checkNorm(norm));
        this.steps = steps;
        this.dropStep = dropStep;
        this.variationOnLogits = variationOnLogits;
        this.objective = Objects.requireNonNull(objective, "objective");
        this.measureVariation = measureVariation;
    }

    /**
     * The same attack without measuring v, for HAM with uniform weights (nothing reads v): the forward of the
     * clean batch (the k = 0 term; TRADES' objective still needs it, for p(x)) and the forward at x_K of the hard
     * rows are not spent. The hard rows and their x_K are the same; v comes back as zeros.
     */
    public EarlyDropPgd withoutVariation() {
        return new EarlyDropPgd(pgd.eps(), pgd.alpha(), steps, dropStep, pgd.norm(), variationOnLogits, objective,
                false);
    }

    /**
     * @param x     images (N,C,H,W) in [0,1]
     * @param y     labels (N) int64
     * @param start delta0 (shape of x), or null for no random start
     * @return x_K of the hard examples (attached to x's manager, no gradient history; null when none is
     *         hard), their indices in the batch ascending, their v, and the pass counts
     */
    public EarlyDropResult attack(Classifier f, NDArray x, NDArray y, NDArray start) {
        return attack(f, x, y, start, null);
    }

    /**
     * As {@link #attack(Classifier, NDArray, NDArray, NDArray)}, each row in its own ball: row i's eps and alpha
     * times {@code scale_i} (shape (N); null: the same ball for every row), the hard rows keeping theirs.
     */
    public EarlyDropResult attack(Classifier f, NDArray x, NDArray y, NDArray start, NDArray scale) {
        AttackMath.checkBatch(x, y, start);
        long t0 = System.nanoTime();
        int total = (int) x.getShape().get(0);
        try (FrozenModel frozen = new FrozenModel(f, x)) {
            NDManager sub = frozen.manager();
            NDArray xs = AttackMath.local(x, sub);
            NDArray ys = AttackMath.local(y, sub);
            NDArray rowScale = scale == null ? null : AttackMath.local(scale, sub);
            NDArray x0 = start == null ? xs
                    : AttackMath.project(xs.add(AttackMath.local(start, sub)), xs, pgd.eps(), pgd.norm(), rowScale);

            // clean f(x): the k = 0 term of v (against f(x_0), which the first step's forward gives) and TRADES' p(x)
            boolean trades = objective == Objective.TRADES_KL;
            NDArray cleanLogits = measureVariation || trades ? f.logits(xs, false).stopGradient() : null;
            NDArray pClean = trades ? cleanLogits.softmax(1) : null;
            Variation variation = new Variation();
            variation.see(cleanLogits);
            NDArray xk = pgd.scaled(rowScale).run(f, x0, xs, loss(ys, pClean), dropStep, (z, k) -> variation.see(z));

            // classify x_{K'} once, without gradient; the same pass gives the k = K' term
            NDArray logitsDrop = f.logits(xk, false).stopGradient();
            variation.see(logitsDrop);
            int[] hard = misclassified(logitsDrop, ys);
            int n = hard.length;
            long forwardRows = (cleanLogits == null ? 0 : total) + (long) total * dropStep + total
                    + (long) n * (steps - dropStep);
            long backwardRows = (long) total * dropStep + (long) n * (steps - dropStep);
            if (n == 0) {
                return new EarlyDropResult(null, hard, new float[0],
                        new AttackStats(total, 0, forwardRows, backwardRows, millisSince(t0)));
            }

            // the hard rows, ascending; the forward of step K'+1 recomputes f(x_{K'}), whose term v already has
            NDArray rows = sub.create(Arrays.stream(hard).asLongStream().toArray());
            variation.keep(rows);
            NDArray xh = pgd.scaled(rowScale == null ? null : rowScale.get(rows)).run(f, xk.get(rows), xs.get(rows),
                    loss(ys.get(rows), trades ? pClean.get(rows) : null),
                    steps - dropStep, (z, k) -> {
                        if (k > 1) {
                            variation.see(z);
                        }
                    });
            if (measureVariation) {
                variation.see(f.logits(xh, false).stopGradient());
                forwardRows += n;
            }

            NDArray out = xh.stopGradient();
            out.attach(x.getManager());
            return new EarlyDropResult(out, hard, measureVariation ? variation.v.toFloatArray() : new float[n],
                    new AttackStats(total, n, forwardRows, backwardRows, millisSince(t0)));
        }
    }

    /**
     * v of every row so far, {@code max_k ||view(f(x_k)) - view(f(x_{k-1}))||_1}, fed f(x), then f(x_k) in the order
     * of k; does nothing when v is not measured.
     */
    private final class Variation {
        private NDArray v;
        private NDArray prev;

        void see(NDArray logits) {
            if (!measureVariation) {
                return;
            }
            NDArray cur = view(logits);
            if (prev != null) {
                NDArray term = AttackMath.l1Norms(cur.sub(prev));
                v = v == null ? term : v.maximum(term);
                NDScope.unregister(v);
            }
            prev = cur;
            NDScope.unregister(prev);   // both outlive the step whose scope computed them
        }

        void keep(NDArray rows) {
            if (measureVariation) {
                v = v.get(rows);
                prev = prev.get(rows);
            }
        }
    }

    /** The objective on a set of rows: their labels, and p(x) of their clean inputs for TRADES' KL. */
    private Function<NDArray, NDArray> loss(NDArray y, NDArray pClean) {
        if (objective == Objective.TRADES_KL) {
            return AttackMath.tradesKl(pClean);
        }
        return logits -> AttackMath.crossEntropy(logits, y);
    }

    /** What v compares: softmax probabilities (default) or raw logits. */
    private NDArray view(NDArray logits) {
        return variationOnLogits ? logits : logits.softmax(1);
    }

    /** The rows whose prediction is not their label, ascending. */
    private static int[] misclassified(NDArray logits, NDArray y) {
        long[] predicted = logits.argMax(1).toLongArray();
        long[] labels = y.toType(DataType.INT64, false).toLongArray();
        return IntStream.range(0, predicted.length).filter(i -> predicted[i] != labels[i]).toArray();
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
