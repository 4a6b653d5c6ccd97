package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.Arrays;

/**
 * One FAB-T run (one target, one start) over a batch: the loop of {@link Fab}, read top to bottom in
 * {@link #run}. The points live on the host (row-major float arrays), where the projection is
 * computed; each pass copies the rows it needs to f's device in a manager of its own. The caller
 * has switched f's parameter gradients off.
 */
final class FabRun {
    /** Keeps a zero projection from dividing by zero in α. */
    private static final double TINY = 1e-8;
    private final Classifier f;
    private final NDManager manager;
    private final Shape image;
    private final int dim;
    private final Norm norm;

    /** Per row: the closest misclassified point found (x where none) and its distance (+∞ where none). */
    record Outcome(float[] points, double[] distance, long forwardRows, long backwardRows) {
    }

    /** f's classes at the points and, when a gradient was asked for, g = z_t − z_y and ∇g per row. */
    private record Pass(long[] predicted, float[] g, float[] gradient) {
    }

    FabRun(Classifier f, NDManager manager, Shape image, Norm norm) {
        this.f = f;
        this.manager = manager;
        this.image = image;
        this.dim = (int) image.size();
        this.norm = norm;
    }

    /**
     * @param x0   the clean examples, n rows of the image size
     * @param from the start x_0 of every row
     * @param t    the target class of every row
     */
    Outcome run(float[] x0, float[] from, long[] y, long[] t, int iterations) {
        int n = y.length;
        float[] xk = from.clone();
        float[] best = x0.clone();
        double[] distance = new double[n];
        Arrays.fill(distance, Double.POSITIVE_INFINITY);
        int[] all = java.util.stream.IntStream.range(0, n).toArray();
        Pass p = pass(xk, all, y, t, true);
        long forward = n;
        long backward = n;
        for (int k = 1; k <= iterations; k++) {
            for (int j = 0; j < n; j++) {
                step(xk, x0, j, p.g()[j], p.gradient());
            }
            boolean last = k == iterations;
            p = pass(xk, all, y, t, !last);
            forward += n;
            backward += last ? 0 : n;
            long[] predicted = p.predicted();
            int[] misclassified = java.util.stream.IntStream.range(0, n).filter(j -> predicted[j] != y[j]).toArray();
            for (int j : misclassified) {
                double d = distance(xk, x0, j);
                if (d < distance[j]) {
                    distance[j] = d;
                    System.arraycopy(xk, j * dim, best, j * dim, dim);
                }
                if (!last) { // the β step back; after the last step nothing would use it
                    for (int i = j * dim; i < (j + 1) * dim; i++) {
                        xk[i] = x0[i] + Fab.BETA * (xk[i] - x0[i]);
                    }
                }
            }
            if (!last && misclassified.length > 0) {
                Pass again = pass(xk, misclassified, y, t, true);
                forward += misclassified.length;
                backward += misclassified.length;
                for (int m = 0; m < misclassified.length; m++) {
                    int j = misclassified[m];
                    p.g()[j] = again.g()[m];
                    System.arraycopy(again.gradient(), m * dim, p.gradient(), j * dim, dim);
                }
            }
        }
        return new Outcome(best, distance, forward, backward);
    }

    /** x_k ← clip((1 − α)(x_k + η·δ1) + α(x + η·δ2), 0, 1) for row j, from g and ∇g at x_k. */
    private void step(float[] xk, float[] x0, int j, float g, float[] gradient) {
        int o = j * dim;
        double[] w = new double[dim];
        double moved = 0; // ∇g·(x_k − x)
        for (int i = 0; i < dim; i++) {
            w[i] = gradient[o + i];
            moved += w[i] * (xk[o + i] - x0[o + i]);
        }
        // the linearised boundary: g + ∇g·(z − x_k) = 0, i.e. ∇g·δ = −g from x_k and = ∇g·(x_k − x) − g from x
        double[] d1 = project(xk, o, w, -g, norm);
        double[] d2 = project(x0, o, w, moved - g, norm);
        double a1 = Math.max(norm(d1), TINY);
        double a2 = Math.max(norm(d2), TINY);
        double alpha = Math.min(Math.max(a1 / (a1 + a2), 0), Fab.ALPHA_MAX);
        for (int i = 0; i < dim; i++) {
            double v = (1 - alpha) * (xk[o + i] + Fab.ETA * d1[i]) + alpha * (x0[o + i] + Fab.ETA * d2[i]);
            xk[o + i] = (float) Math.min(1, Math.max(0, v));
        }
    }

    /**
     * The smallest δ (L∞ or L2) with w·δ = c and 0 &le; p + δ &le; 1 (p the row at offset o); where
     * the box allows no such δ, the δ in the box that brings w·δ closest to c. Along the way each
     * coordinate moves in the direction s_i = sign(c·w_i) by min(λ·a_i, room_i), a_i = 1 (L∞) or
     * |w_i| (L2), room_i its distance to the box's face; w·δ = Σ |w_i|·min(λ·a_i, room_i)·sign(c)
     * is piecewise linear and increasing in λ, so λ is found by walking its breakpoints in order.
     */
    static double[] project(float[] p, int o, double[] w, double c, Norm norm) {
        int dim = w.length;
        double[] d = new double[dim];
        double need = Math.abs(c);
        if (need == 0) {
            return d;
        }
        double sign = Math.signum(c);
        double[] rate = new double[dim];
        double[] room = new double[dim];
        long[] order = new long[dim];
        int m = 0;
        double slope = 0;
        for (int i = 0; i < dim; i++) {
            if (w[i] == 0) {
                continue;
            }
            boolean up = w[i] * sign > 0;
            room[i] = up ? 1 - p[o + i] : p[o + i];
            rate[i] = norm == Norm.LINF ? 1 : Math.abs(w[i]);
            slope += Math.abs(w[i]) * rate[i];
            // breakpoints are >= 0, whose float bits sort like their values; the low half carries i
            order[m++] = ((long) Float.floatToIntBits((float) (room[i] / rate[i])) << 32) | i;
        }
        Arrays.sort(order, 0, m);
        double lambda = Double.POSITIVE_INFINITY;
        double reached = 0;
        double at = 0;
        for (int q = 0; q < m; q++) {
            int i = (int) order[q];
            double next = Math.max(at, room[i] / rate[i]);
            double value = reached + slope * (next - at);
            if (value >= need) {
                lambda = at + (need - reached) / slope;
                break;
            }
            reached = value;
            at = next;
            slope -= Math.abs(w[i]) * rate[i];
        }
        for (int i = 0; i < dim; i++) {
            if (w[i] != 0) {
                double s = w[i] * sign > 0 ? 1 : -1;
                d[i] = s * Math.min(lambda * rate[i], room[i]);
            }
        }
        return d;
    }

    /** f's classes at the given rows of {@code points}, with g and ∇g when {@code gradient}: one pass. */
    private Pass pass(float[] points, int[] rows, long[] y, long[] t, boolean gradient) {
        float[] in = new float[rows.length * dim];
        long[] ys = new long[rows.length];
        long[] ts = new long[rows.length];
        for (int m = 0; m < rows.length; m++) {
            System.arraycopy(points, rows[m] * dim, in, m * dim, dim);
            ys[m] = y[rows[m]];
            ts[m] = t[rows[m]];
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(in, new Shape(rows.length).addAll(image));
            if (!gradient) {
                return new Pass(f.logits(x, false).argMax(1).toLongArray(), null, null);
            }
            NDArray yArr = m.create(ys);
            NDArray tArr = m.create(ts);
            AttackMath.GradientAndLogits gl = AttackMath.inputGradient(f, x, z -> margin(z, yArr, tArr).sum());
            return new Pass(gl.logits().argMax(1).toLongArray(), margin(gl.logits(), yArr, tArr).toFloatArray(),
                    gl.gradient().toFloatArray());
        }
    }

    /** z_t − z_y per row. */
    private static NDArray margin(NDArray z, NDArray y, NDArray t) {
        NDArray zt = z.mul(AttackMath.oneHot(z, t)).sum(new int[]{1});
        return zt.sub(z.mul(AttackMath.oneHot(z, y)).sum(new int[]{1}));
    }

    private double distance(float[] xk, float[] x0, int j) {
        double[] d = new double[dim];
        for (int i = 0; i < dim; i++) {
            d[i] = (double) xk[j * dim + i] - x0[j * dim + i];
        }
        return norm(d);
    }

    private double norm(double[] d) {
        double s = 0;
        for (double v : d) {
            s = norm == Norm.LINF ? Math.max(s, Math.abs(v)) : s + v * v;
        }
        return norm == Norm.LINF ? s : Math.sqrt(s);
    }

    /** ||row j|| of a row-major array of rows of {@code dim} values. */
    static double norm(float[] a, int offset, int dim, Norm norm) {
        double s = 0;
        for (int i = offset; i < offset + dim; i++) {
            s = norm == Norm.LINF ? Math.max(s, Math.abs(a[i])) : s + (double) a[i] * a[i];
        }
        return norm == Norm.LINF ? s : Math.sqrt(s);
    }
}
