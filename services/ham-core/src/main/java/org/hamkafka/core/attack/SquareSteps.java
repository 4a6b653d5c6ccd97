package org.hamkafka.core.attack;

import java.util.SplittableRandom;

/**
 * The geometry of {@link Square}'s search for one image shape (C,H,W), one example at a time on
 * flat (C,H,W) arrays: the start and the candidate of a query, both inside the eps-ball around x
 * and in [0,1]. The random draws of one call, in order: L∞ start, one sign per (channel, column);
 * L2 start, per block of the 5×5 grid η's transposition then one sign per channel; L∞ query, the
 * window's row and column then one sign per channel; L2 query, the rows and columns of the window
 * and of the window emptied, η's transposition, then one sign per channel.
 *
 * <p>The L2 start tiles ⌊H/s⌋ × ⌊W/s⌋ blocks of side s = ⌊H/5⌋ from the offset ⌊(H − 5s)/2⌋ in both
 * directions, as the reference does; a block that would cross the border is cut there (the
 * reference fails on such shapes, e.g. 12×12).
 *
 * <p>Paper: Maksym Andriushchenko, Francesco Croce, Nicolas Flammarion and Matthias Hein, "Square
 * Attack: a query-efficient black-box adversarial attack via random search", ECCV 2020.
 */
record SquareSteps(float eps, Norm norm, int c, int h, int w) {
    private static final double TINY = 1e-12;

    SquareSteps {
        if (norm == Norm.L2 && Math.min(h, w) < 5) {
            throw new IllegalArgumentException("Square L2 needs images of at least 5×5 (its start tiles a 5×5 grid); got "
                    + h + "×" + w);
        }
    }

    /** Writes example x (d floats at {@code at}) moved to its start into {@code out} at {@code to}. */
    void start(SplittableRandom r, float[] x, int at, float[] out, int to) {
        if (norm == Norm.LINF) {
            for (int ch = 0; ch < c; ch++) {
                for (int col = 0; col < w; col++) {
                    float sign = sign(r);
                    for (int row = 0; row < h; row++) {
                        int k = (ch * h + row) * w + col;
                        out[to + k] = clip(x[at + k] + eps * sign);
                    }
                }
            }
            return;
        }
        double[] delta = new double[c * h * w];
        int s = h / 5;
        int first = (h - 5 * s) / 2;
        for (int bh = 0, vh = first; bh < h / s; bh++, vh += s) {
            for (int bw = 0, vw = first; bw < w / s; bw++, vw += s) {
                double[] e = eta(s, r.nextBoolean());
                for (int ch = 0; ch < c; ch++) {
                    addWindow(delta, ch, vh, vw, s, e, sign(r));
                }
            }
        }
        toBall(x, at, delta, out, to);
    }

    /**
     * Writes the candidate for the current point {@code best} (same layout as x) into {@code out} at
     * {@code to}; p is the fraction of the pixels the square covers.
     */
    void propose(SplittableRandom r, double p, float[] x, float[] best, int at, float[] out, int to) {
        double side = Math.rint(Math.sqrt(p * (c * h * w) / c)); // Python's round: half to even
        if (norm == Norm.LINF) {
            proposeLinf(r, Math.min(Math.max((int) side, 1), Math.min(h, w)), x, best, at, out, to);
        } else {
            int s = Math.max((int) side, 3);
            proposeL2(r, Math.min(s % 2 == 0 ? s + 1 : s, Math.min(h, w)), x, best, at, out, to);
        }
    }

    /** One s×s window set to x ± eps (one sign per channel), clipped to [0,1]. */
    private void proposeLinf(SplittableRandom r, int s, float[] x, float[] best, int at, float[] out, int to) {
        int vh = position(r, h - s);
        int vw = position(r, w - s);
        System.arraycopy(best, at, out, to, c * h * w);
        for (int ch = 0; ch < c; ch++) {
            float step = 2 * eps * sign(r);
            for (int row = vh; row < vh + s; row++) {
                for (int col = vw; col < vw + s; col++) {
                    int k = (ch * h + row) * w + col;
                    float v = Math.min(Math.max(best[at + k] + step, x[at + k] - eps), x[at + k] + eps);
                    out[to + k] = clip(v);
                }
            }
        }
    }

    /**
     * Per channel, the perturbation of a window and of a second one moves into the first as η(s) with
     * a random sign plus the first's old direction, with the norm of both plus an equal share of the
     * budget left in the ball; the second is emptied, and δ rescaled to eps.
     */
    private void proposeL2(SplittableRandom r, int s, float[] x, float[] best, int at, float[] out, int to) {
        int d = c * h * w;
        int vh = position(r, h - s);
        int vw = position(r, w - s);
        int vh2 = position(r, h - s);
        int vw2 = position(r, w - s);
        double[] e = eta(s, r.nextBoolean());
        double[] delta = new double[d];
        double image = 0;
        for (int k = 0; k < d; k++) {
            delta[k] = (double) best[at + k] - x[at + k];
            image += delta[k] * delta[k];
        }
        double budget = Math.max((double) eps * eps - image, 0) / c;
        double[][] moved = new double[c][];
        for (int ch = 0; ch < c; ch++) {
            moved[ch] = window(delta, ch, s, vh, vw, vh2, vw2, e, sign(r), budget);
        }
        for (int ch = 0; ch < c; ch++) {
            addWindow(delta, ch, vh2, vw2, s, null, 0);
        }
        for (int ch = 0; ch < c; ch++) {
            addWindow(delta, ch, vh, vw, s, null, 0);
            addWindow(delta, ch, vh, vw, s, moved[ch], 1);
        }
        toBall(x, at, delta, out, to);
    }

    /** Channel ch's new window at (vh, vw): (η·sign + δ_window/||δ_window||) scaled to √(budget + ||δ in both windows||²). */
    private double[] window(double[] delta, int ch, int s, int vh, int vw, int vh2, int vw2, double[] e, double sign,
                            double budget) {
        double inWindow = 0;
        double inBoth = 0;
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                double v = delta[(ch * h + row) * w + col];
                boolean one = inside(row, col, vh, vw, s);
                inWindow += one ? v * v : 0;
                inBoth += one || inside(row, col, vh2, vw2, s) ? v * v : 0;
            }
        }
        double[] m = new double[s * s];
        double size = 0;
        for (int a = 0; a < s * s; a++) {
            m[a] = e[a] * sign + delta[(ch * h + vh + a / s) * w + vw + a % s] / (TINY + Math.sqrt(inWindow));
            size += m[a] * m[a];
        }
        double scale = Math.sqrt(budget + inBoth) / (TINY + Math.sqrt(size));
        for (int a = 0; a < s * s; a++) {
            m[a] *= scale;
        }
        return m;
    }

    /** out = clip(x + eps·δ/||δ||2, 0, 1). */
    private void toBall(float[] x, int at, double[] delta, float[] out, int to) {
        double size = 0;
        for (double v : delta) {
            size += v * v;
        }
        double scale = eps / (Math.sqrt(size) + TINY);
        for (int k = 0; k < delta.length; k++) {
            out[to + k] = clip((float) (x[at + k] + delta[k] * scale));
        }
    }

    /** Adds sign·e to the s×s window at (vh, vw) of channel ch, cut at the border; a null e zeroes it. */
    private void addWindow(double[] delta, int ch, int vh, int vw, int s, double[] e, double sign) {
        for (int row = vh; row < Math.min(vh + s, h); row++) {
            for (int col = vw; col < Math.min(vw + s, w); col++) {
                int k = (ch * h + row) * w + col;
                delta[k] = e == null ? 0 : delta[k] + sign * e[(row - vh) * s + col - vw];
            }
        }
    }

    /** η(s): the top ⌊s/2⌋ rows {@link #rectangle} and the rest minus one, unit L2 norm, transposed on request. */
    static double[] eta(int s, boolean transpose) {
        double[] top = rectangle(s / 2, s);
        double[] bottom = rectangle(s - s / 2, s);
        double[] e = new double[s * s];
        for (int k = 0; k < s * s; k++) {
            e[k] = k < top.length ? top[k] : -bottom[k - top.length];
        }
        normalize(e);
        if (!transpose) {
            return e;
        }
        double[] t = new double[s * s];
        for (int k = 0; k < s * s; k++) {
            t[(k % s) * s + k / s] = e[k];
        }
        return t;
    }

    /** rows×cols, entry Σ_{k ≥ ring} 1/(k+1)² over the nested rectangles around the centre, unit L2 norm. */
    private static double[] rectangle(int rows, int cols) {
        double[] d = new double[rows * cols];
        int cr = rows / 2;
        int cc = cols / 2;
        for (int k = 0; k < Math.max(cr, cc) + 1; k++) {
            for (int row = Math.max(cr - k, 0); row < Math.min(cr + k + 1, rows); row++) {
                for (int col = Math.max(cc - k, 0); col < Math.min(cc + k + 1, cols); col++) {
                    d[row * cols + col] += 1.0 / ((k + 1) * (k + 1));
                }
            }
        }
        normalize(d);
        return d;
    }

    private static void normalize(double[] a) {
        double size = 0;
        for (double v : a) {
            size += v * v;
        }
        double inv = 1 / Math.sqrt(size);
        for (int k = 0; k < a.length && size > 0; k++) {
            a[k] *= inv;
        }
    }

    private static boolean inside(int row, int col, int vh, int vw, int s) {
        return row >= vh && row < vh + s && col >= vw && col < vw + s;
    }

    /** A window's corner in {0..free−1}, 0 when there is no room: the reference's {@code random_int(0, free)}. */
    private static int position(SplittableRandom r, int free) {
        return free > 0 ? r.nextInt(free) : 0;
    }

    private static float sign(SplittableRandom r) {
        return r.nextBoolean() ? 1f : -1f;
    }

    private static float clip(float v) {
        return Math.min(Math.max(v, 0f), 1f);
    }
}
