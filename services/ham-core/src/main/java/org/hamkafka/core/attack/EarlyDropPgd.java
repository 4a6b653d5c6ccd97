package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;

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
 * <p>Not an {@link Attack}: it returns the hard subset only. Thread-safe (no mutable state).
 */
public final class EarlyDropPgd {
    /** The loss each step ascends. */
    public enum Objective {
        /** {@code CE(f(x'), y)}, averaged over the rows: PGD-AT's attack. */
        CROSS_ENTROPY,
        /** {@code KL(p(x) || p(x'))} summed over the rows, as {@link TradesAttack}: TRADES' attack (labels unused). */
        TRADES_KL
    }

    private final float eps;
    private final float alpha;
    private final int steps;
    private final int dropStep;
    private final Norm norm;
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
        AttackMath.checkSettings(eps, alpha, steps);
        String problem = dropStepProblem(dropStep, steps);
        if (problem != null) {
            throw new IllegalArgumentException("K' (dropStep) " + problem);
        }
        this.eps = eps;
        this.alpha = alpha;
        this.steps = steps;
        this.dropStep = dropStep;
        this.norm = AttackMath.checkNorm(norm);
        this.variationOnLogits = variationOnLogits;
        this.objective = java.util.Objects.requireNonNull(objective, "objective");
        this.measureVariation = true;
    }

    private EarlyDropPgd(EarlyDropPgd a, boolean measureVariation) {
        this.eps = a.eps;
        this.alpha = a.alpha;
        this.steps = a.steps;
        this.dropStep = a.dropStep;
        this.norm = a.norm;
        this.variationOnLogits = a.variationOnLogits;
        this.objective = a.objective;
        this.measureVariation = measureVariation;
    }

    /**
     * The same attack without measuring v, for HAM with uniform weights (nothing reads v): the forward of the
     * clean batch (the k = 0 term; TRADES' objective still needs it, for p(x)) and the forward at x_K of the hard
     * rows are not spent. The hard rows and their x_K are the same; v comes back as zeros.
     */
    public EarlyDropPgd withoutVariation() {
        return new EarlyDropPgd(this, false);
    }

    /**
     * @param x     images (N,C,H,W) in [0,1]
     * @param y     labels (N) int64
     * @param start delta0 (shape of x), or null for no random start
     * @return x_K of the hard examples (attached to x's manager, no gradient history; null when none is
     *         hard), their indices in the batch ascending, their v, and the pass counts
     */
    public EarlyDropResult attack(Classifier f, NDArray x, NDArray y, NDArray start) {
        AttackMath.checkBatch(x, y, start);
        long t0 = System.nanoTime();
        int total = (int) x.getShape().get(0);
        long forwardRows = 0;
        long backwardRows = 0;
        NDManager outer = x.getManager();
        boolean restore = AttackMath.parametersRequireGradient(f);
        f.requireParameterGradients(false);
        try (NDManager sub = outer.newSubManager()) {
            NDArray xs = AttackMath.local(x, sub);
            NDArray ys = AttackMath.local(y, sub);
            NDArray xk = start == null ? xs
                    : AttackMath.project(xs.add(AttackMath.local(start, sub)), xs, eps, norm);

            // k = 0 term: clean f(x) against f(x_0), which the first gradient forward gives
            boolean measure = measureVariation;
            NDArray cleanLogits = null;
            NDArray prev = null;
            if (measure || objective == Objective.TRADES_KL) {
                cleanLogits = f.logits(xs, false).stopGradient();
                prev = view(cleanLogits);
                forwardRows += total;
            }
            NDArray v = null;

            // TRADES' p(x): the k = 0 term's view already is it unless v is measured on logits
            NDArray pClean = objective != Objective.TRADES_KL ? null
                    : variationOnLogits ? cleanLogits.softmax(1) : prev;
            Function<NDArray, NDArray> lossAll = loss(ys, pClean);
            NDArray clean = xs;
            for (int k = 1; k <= dropStep; k++) {
                forwardRows += total;
                backwardRows += total;
                NDArray next;
                // a step's forward, backward and temporaries are freed when it ends (see IterativeAttack)
                try (NDScope step = new NDScope()) {
                    AttackMath.GradientAndLogits gl = AttackMath.inputGradient(f, xk, lossAll);
                    if (measure) {
                        NDArray cur = view(gl.logits());       // f(x_{k-1})
                        v = max(v, AttackMath.l1Norms(cur.sub(prev)));
                        prev = cur;
                        NDScope.unregister(v);
                        NDScope.unregister(prev);
                    }
                    next = AttackMath.project(AttackMath.ascend(xk, gl.gradient(), alpha, norm), clean, eps, norm);
                    NDScope.unregister(next);
                }
                if (xk != xs) {
                    xk.close();
                }
                xk = next;
            }

            // classify x_{K'} once, without gradient; the same pass gives the k = K' term
            NDArray logitsDrop = f.logits(xk, false).stopGradient();
            forwardRows += total;
            if (measure) {
                NDArray cur = view(logitsDrop);
                v = max(v, AttackMath.l1Norms(cur.sub(prev)));
                prev = cur;
            }
            long[] predicted = logitsDrop.argMax(1).toLongArray();
            long[] labels = ys.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
            int[] hard = hardIndices(predicted, labels);
            int n = hard.length;
            if (n == 0) {
                return new EarlyDropResult(null, new int[0], new float[0],
                        new AttackStats(total, 0, forwardRows, backwardRows, millisSince(t0)));
            }

            // rows of the hard examples, in ascending order
            NDArray rows = sub.create(java.util.Arrays.stream(hard).asLongStream().toArray());
            NDArray xh = xk.get(rows);
            NDArray yh = ys.get(rows);
            NDArray cleanH = xs.get(rows);
            NDArray vh = measure ? v.get(rows) : null;
            prev = measure ? prev.get(rows) : null;
            Function<NDArray, NDArray> lossHard = loss(yh, pClean == null ? null : pClean.get(rows));
            for (int k = dropStep + 1; k <= steps; k++) {
                forwardRows += n;
                backwardRows += n;
                NDArray next;
                try (NDScope step = new NDScope()) {
                    AttackMath.GradientAndLogits gl = AttackMath.inputGradient(f, xh, lossHard);
                    if (measure && k > dropStep + 1) {
                        // f(x_{k-1}); at k = K'+1 this is f(x_{K'}), already counted from the classification
                        NDArray q = view(gl.logits());
                        vh = vh.maximum(AttackMath.l1Norms(q.sub(prev)));
                        prev = q;
                        NDScope.unregister(vh);
                        NDScope.unregister(prev);
                    }
                    next = AttackMath.project(AttackMath.ascend(xh, gl.gradient(), alpha, norm), cleanH, eps, norm);
                    NDScope.unregister(next);
                }
                xh.close();
                xh = next;
            }
            if (measure) {
                NDArray last = view(f.logits(xh, false).stopGradient());
                forwardRows += n;
                vh = vh.maximum(AttackMath.l1Norms(last.sub(prev)));
            }

            NDArray out = xh.stopGradient();
            out.attach(outer);
            return new EarlyDropResult(out, hard, measure ? vh.toFloatArray() : new float[n],
                    new AttackStats(total, n, forwardRows, backwardRows, millisSince(t0)));
        } finally {
            if (restore) {
                f.requireParameterGradients(true);
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

    private static NDArray max(NDArray acc, NDArray term) {
        return acc == null ? term : acc.maximum(term);
    }

    private static int[] hardIndices(long[] predicted, long[] labels) {
        return java.util.stream.IntStream.range(0, predicted.length)
                .filter(i -> predicted[i] != labels[i]).toArray();
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    public float eps() {
        return eps;
    }

    public float alpha() {
        return alpha;
    }

    public int steps() {
        return steps;
    }

    public int dropStep() {
        return dropStep;
    }

    public Norm norm() {
        return norm;
    }

    public boolean variationOnLogits() {
        return variationOnLogits;
    }

    public Objective objective() {
        return objective;
    }
}
