package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.hamkafka.core.model.Classifier;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * One APGD run over a batch (the loop of {@link Apgd}, read top to bottom in {@link #run}). Rows
 * that f misclassifies leave the batch at once, so the passes shrink as examples break; rows of one
 * group (an example's runs against its several targets) leave together when any of them breaks it.
 * Each row's iterates depend on that row alone. The caller has switched f's parameter gradients off.
 * Single use: one instance per run.
 *
 * <p>Where this differs from the reference implementation, with the same results otherwise:
 * <ul>
 *   <li>the first interval's rise count compares x_1's loss with x_0's; the reference compares it
 *       with a not yet written (zero) row of its loss history;</li>
 *   <li>a broken example keeps its first misclassified iterate (the reference keeps overwriting it
 *       with later ones; it attacks every row every iteration);</li>
 *   <li>x_N is evaluated without a gradient, which nothing would use.</li>
 * </ul>
 * After a restart at a checkpoint the momentum term uses x_{k−1} from before the restart, as the
 * reference does.
 *
 * <p>Memory: each iteration's temporaries live in their own manager, which is closed once the state
 * (the arrays below) has moved to the next one.
 */
final class ApgdRun {
    /** What a run needs to know; {@code checkpoints} as {@link Apgd#checkpoints(int)}. */
    record Settings(float eps, Norm norm, int iterations, int[] checkpoints, Apgd.Loss loss) {
    }

    /**
     * Per row of the run's batch: the point (the first misclassified iterate, else the best-loss
     * one; owned by x's manager, detached), whether it is misclassified, and the best loss seen — except for
     * a row that left with a broken sibling, whose point and loss mean nothing.
     */
    record Outcome(NDArray points, boolean[] broken, float[] bestLoss, long forwardRows, long backwardRows) {
    }

    static final float MOMENTUM = 0.75f;
    private static final float RISE_FRACTION = 0.75f;
    private static final float TINY = 1e-12f;

    private final Classifier f;
    private final Settings s;

    // one entry per active (not yet broken) row; row[j] is its index in the run's batch
    private int[] row;
    private NDArray x;
    private NDArray y;
    private NDArray t;
    private NDArray xk;
    private NDArray xPrev;
    private NDArray g;
    private NDArray xBest;
    private NDArray gBest;
    private float[] eta;
    private float[] lossPrev;
    private float[] lossBest;
    private float[] lossBestLastCheck;
    private boolean[] halvedLastCheck;
    private int[] rises;
    // one entry per row of the run's batch
    private int[] group;
    private boolean[] groupBroken;
    private NDArray points;
    private boolean[] broken;
    private float[] bestLossOut;
    private long forwardRows;
    private long backwardRows;

    ApgdRun(Classifier f, Settings s) {
        this.f = f;
        this.s = s;
    }

    /** @param x0 the start, already in the eps-ball around x and in [0,1] */
    Outcome run(NDArray x, NDArray y, NDArray t, NDArray x0) {
        return run(x, y, t, x0, IntStream.range(0, (int) x.getShape().get(0)).toArray());
    }

    /**
     * @param x0    the start, already in the eps-ball around x and in [0,1]
     * @param group per row, its group (0..groups−1): once one row of a group is misclassified, the group's
     *              other rows leave the batch too, not broken themselves; their point and best loss are not
     *              reported (the broken row answers for the group)
     */
    Outcome run(NDArray x, NDArray y, NDArray t, NDArray x0, int[] group) {
        NDManager parent = x.getManager();
        int n = (int) x.getShape().get(0);
        this.group = group;
        this.groupBroken = new boolean[Arrays.stream(group).max().orElse(-1) + 1];
        NDManager cur = parent.newSubManager();
        try {
            // views of the caller's arrays: closing an iteration's manager must not free them
            this.row = IntStream.range(0, n).toArray();
            this.x = AttackMath.local(x, cur);
            this.y = AttackMath.local(y, cur);
            this.t = t == null ? null : AttackMath.local(t, cur);
            this.xk = AttackMath.local(x0, cur);
            this.xPrev = xk;
            this.points = xk;
            this.broken = new boolean[n];
            this.bestLossOut = new float[n];
            float[] l0 = evaluate(false);
            this.xBest = xk;
            this.gBest = g;
            this.eta = new float[n];
            Arrays.fill(eta, 2 * s.eps());
            this.lossPrev = l0.clone();
            this.lossBest = l0.clone();
            this.lossBestLastCheck = l0.clone();
            this.halvedLastCheck = new boolean[n];
            Arrays.fill(halvedLastCheck, true); // no condition (2) at the first checkpoint
            this.rises = new int[n];
            dropBroken(l0);
            cur = swap(cur, parent);

            int c = 1; // next checkpoint
            for (int k = 0; k < s.iterations() && row.length > 0; k++) {
                boolean last = k == s.iterations() - 1;
                step(k == 0 ? 1f : MOMENTUM);
                float[] loss = evaluate(last);
                track(loss, last);
                dropBroken(loss);
                if (c < s.checkpoints().length && s.checkpoints()[c] == k + 1) {
                    check(s.checkpoints()[c] - s.checkpoints()[c - 1], last);
                    c++;
                }
                cur = swap(cur, parent);
            }
            // rows never misclassified end at their best point
            int[] take = new int[n];
            Arrays.fill(take, -1);
            for (int j = 0; j < row.length; j++) {
                take[row[j]] = j;
                bestLossOut[row[j]] = lossBest[j];
            }
            NDArray out = Rows.replace(points, xBest, take).stopGradient();
            out.attach(parent);
            return new Outcome(out, broken, bestLossOut, forwardRows, backwardRows);
        } finally {
            cur.close();
        }
    }

    /** z = P(x_k + η·step(g)); x_{k+1} = P(x_k + a·(z − x_k) + (1 − a)·(x_k − x_{k−1})). */
    private void step(float a) {
        NDArray etas = AttackMath.perExample(xk.getManager().create(eta), xk.getShape());
        NDArray direction = s.norm() == Norm.LINF ? g.sign()
                : g.div(AttackMath.perExample(AttackMath.l2Norms(g).add(TINY), g.getShape()));
        NDArray z = AttackMath.project(xk.add(direction.mul(etas)), x, s.eps(), s.norm());
        NDArray next = a == 1f ? z : AttackMath.project(
                xk.add(z.sub(xk).mul(a)).add(xk.sub(xPrev).mul(1f - a)), x, s.eps(), s.norm());
        xPrev = xk;
        xk = next;
    }

    /**
     * The loss of every active row at x_k and, unless {@code forwardOnly}, its gradient g (one
     * forward + one backward); marks the rows f misclassifies there, keeping x_k as their point.
     */
    private float[] evaluate(boolean forwardOnly) {
        int n = row.length;
        NDArray logits;
        if (forwardOnly) {
            logits = f.logits(xk, false).stopGradient();
            g = null;
        } else {
            AttackMath.GradientAndLogits gl = AttackMath.inputGradient(f, xk, z -> loss(z).sum());
            logits = gl.logits();
            g = gl.gradient();
            backwardRows += n;
        }
        forwardRows += n;
        long[] predicted = logits.argMax(1).toLongArray();
        long[] labels = y.toLongArray();
        int[] take = new int[broken.length];
        Arrays.fill(take, -1);
        boolean any = false;
        for (int j = 0; j < n; j++) {
            if (predicted[j] != labels[j]) {
                broken[row[j]] = true;
                groupBroken[group[row[j]]] = true;
                take[row[j]] = j;
                any = true;
            }
        }
        if (any) {
            points = Rows.replace(points, xk, take);
        }
        return loss(logits).toFloatArray();
    }

    private NDArray loss(NDArray logits) {
        return switch (s.loss()) {
            case CE -> ApgdLosses.crossEntropy(logits, y);
            case DLR -> ApgdLosses.dlr(logits, y);
            case DLR_TARGETED -> ApgdLosses.dlrTargeted(logits, y, t);
        };
    }

    /** Counts loss rises since the last checkpoint and keeps each row's best loss, point and gradient. */
    private void track(float[] loss, boolean last) {
        boolean[] better = new boolean[loss.length];
        boolean any = false;
        for (int j = 0; j < loss.length; j++) {
            if (loss[j] > lossPrev[j]) {
                rises[j]++;
            }
            lossPrev[j] = loss[j];
            if (loss[j] > lossBest[j]) {
                lossBest[j] = loss[j];
                better[j] = true;
                any = true;
            }
        }
        if (any) {
            xBest = Rows.choose(better, xk, xBest);
            if (!last) {
                gBest = Rows.choose(better, g, gBest);
            }
        }
    }

    /**
     * At a checkpoint {@code interval} steps after the last: halve η, and restart from the best point
     * (with its gradient), where (1) the loss rose in at most 0.75·interval of those steps or (2) η
     * was not halved last time and the best loss has not improved since.
     */
    private void check(int interval, boolean last) {
        boolean[] halve = new boolean[row.length];
        boolean any = false;
        for (int j = 0; j < row.length; j++) {
            boolean oscillating = rises[j] <= RISE_FRACTION * interval;
            boolean stalled = !halvedLastCheck[j] && lossBestLastCheck[j] >= lossBest[j];
            halve[j] = oscillating || stalled;
            halvedLastCheck[j] = halve[j];
            lossBestLastCheck[j] = lossBest[j];
            rises[j] = 0;
            if (halve[j]) {
                eta[j] /= 2;
                any = true;
            }
        }
        if (any && !last) { // after the last iteration nothing would use the restart
            xk = Rows.choose(halve, xBest, xk);
            g = Rows.choose(halve, gBest, g);
        }
    }

    /** Keeps only the rows of groups f has not misclassified yet, in every per-row array. */
    private void dropBroken(float[] loss) {
        int[] keep = IntStream.range(0, row.length).filter(j -> !groupBroken[group[row[j]]]).toArray();
        if (keep.length == row.length) {
            return;
        }
        for (int j = 0; j < row.length; j++) {
            if (broken[row[j]]) {
                bestLossOut[row[j]] = loss[j];
            }
        }
        NDArray idx = x.getManager().create(Arrays.stream(keep).asLongStream().toArray());
        x = x.get(idx);
        y = y.get(idx);
        t = t == null ? null : t.get(idx);
        xk = xk.get(idx);
        xPrev = xPrev.get(idx);
        g = g == null ? null : g.get(idx);
        xBest = xBest.get(idx);
        gBest = gBest == null ? null : gBest.get(idx);
        row = Rows.pick(row, keep);
        eta = Rows.pick(eta, keep);
        lossPrev = Rows.pick(lossPrev, keep);
        lossBest = Rows.pick(lossBest, keep);
        lossBestLastCheck = Rows.pick(lossBestLastCheck, keep);
        halvedLastCheck = Rows.pick(halvedLastCheck, keep);
        rises = Rows.pick(rises, keep);
    }

    /** Opens the next iteration's manager and closes the previous one once the state has moved. */
    private NDManager swap(NDManager cur, NDManager parent) {
        NDManager next = parent.newSubManager();
        moveTo(next);
        cur.close();
        return next;
    }

    private void moveTo(NDManager m) {
        for (NDArray a : new NDArray[]{x, y, t, xk, xPrev, g, xBest, gBest, points}) {
            if (a != null) {
                a.attach(m);
            }
        }
    }
}
