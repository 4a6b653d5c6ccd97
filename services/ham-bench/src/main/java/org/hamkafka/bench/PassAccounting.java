package org.hamkafka.bench;

import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.train.TrainingCost;

/**
 * Forward and backward batch-rows that one training batch costs under three schemes (spec
 * "Efficiency"), for N examples in, n of them hard, K attack steps and early-drop step K':
 * <ul>
 *   <li><b>this implementation</b> ({@code EarlyDropPgd} + HAM's training half): the gradient forward of
 *       step k+1 yields f(x_k), so besides the N·K' + n·(K−K') gradient forwards only the clean f(x), the
 *       no-grad classification at K' and the final f(x_K) of the hard rows need their own pass;</li>
 *   <li><b>the reference code</b>: the same gradient passes, plus two forwards over the batch at the start
 *       and one extra forward after every attack step to read the new logits (two with the weighting
 *       switched on), over the rows still attacked at that step;</li>
 *   <li><b>plain PGD-AT</b>: K gradient passes over all N rows and a training step on all N rows.</li>
 * </ul>
 * All three train on their rows with one forward and one backward.
 *
 * <p>Counting rule for cost in forward-pass equivalents ({@link Rows#cost()}): a forward row costs 1;
 * an attack backward row costs 1 (the gradient flows back to the input only: parameter gradients are
 * switched off, so the weight-gradient half of a backward pass is skipped); a training backward row
 * costs 2 (activation and weight gradients). The same rule is applied to every scheme.
 */
public final class PassAccounting {
    private PassAccounting() {
    }

    /** Batch-rows of one batch. */
    public record Rows(long attackForward, long attackBackward, long trainForward, long trainBackward) {
        public long forward() {
            return attackForward + trainForward;
        }

        public long backward() {
            return attackBackward + trainBackward;
        }

        /** Forward-pass equivalents by the counting rule of the class comment. */
        public double cost() {
            return attackForward + attackBackward + trainForward + 2.0 * trainBackward;
        }

        /** The rows a training run counted. */
        public static Rows of(TrainingCost c) {
            return new Rows(c.attackForwardRows(), c.attackBackwardRows(), c.trainForwardRows(), c.trainBackwardRows());
        }

        public Rows plus(Rows o) {
            return new Rows(attackForward + o.attackForward, attackBackward + o.attackBackward,
                    trainForward + o.trainForward, trainBackward + o.trainBackward);
        }

        public static Rows zero() {
            return new Rows(0, 0, 0, 0);
        }
    }

    /** Rows attacked at each step summed over the steps: N·K' + n·(K−K'). */
    static long gradientRows(int batch, int hard, int steps, int dropStep) {
        check(batch, hard, steps, dropStep);
        return (long) batch * dropStep + (long) hard * (steps - dropStep);
    }

    /** This implementation: the counts {@code EarlyDropPgd} documents, plus training on the n hard rows. */
    public static Rows earlyDrop(int batch, int hard, int steps, int dropStep) {
        long grad = gradientRows(batch, hard, steps, dropStep);
        long forward = batch + grad + batch + (hard > 0 ? hard : 0);
        return new Rows(forward, grad, hard, hard);
    }

    /**
     * The reference code: gradient passes as above, two forwards over the batch at the start, and after
     * every attack step one extra forward over the rows attacked at that step (two with the weighting).
     */
    public static Rows reference(int batch, int hard, int steps, int dropStep, boolean weighting) {
        long grad = gradientRows(batch, hard, steps, dropStep);
        int extraPerStep = weighting ? 2 : 1;
        long forward = 2L * batch + grad + extraPerStep * grad;
        return new Rows(forward, grad, hard, hard);
    }

    /** Plain PGD-AT: K gradient passes and one training step, all over N rows. */
    public static Rows pgdAt(int batch, int steps) {
        if (batch < 1 || steps < 1) {
            throw new IllegalArgumentException("batch and K must be >= 1; got batch " + batch + ", K " + steps);
        }
        long grad = (long) batch * steps;
        return new Rows(grad, grad, batch, batch);
    }

    /** The rows an {@link AttackStats} reports, with training on the kept rows. */
    public static Rows measured(AttackStats s) {
        return new Rows(s.forwardRows(), s.backwardRows(), s.examplesKept(), s.examplesKept());
    }

    /** {@code a/b} as a ratio of costs (forward-pass equivalents); saving = 1 − ratio. */
    public static double costRatio(Rows a, Rows b) {
        return a.cost() / b.cost();
    }

    private static void check(int batch, int hard, int steps, int dropStep) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch size N must be >= 1; got " + batch);
        }
        if (hard < 0 || hard > batch) {
            throw new IllegalArgumentException("hard examples n must be in [0, N] = [0, " + batch + "]; got " + hard);
        }
        if (dropStep < 1 || dropStep >= steps) {
            throw new IllegalArgumentException("K' must satisfy 1 <= K' < K = " + steps + "; got " + dropStep);
        }
    }
}
