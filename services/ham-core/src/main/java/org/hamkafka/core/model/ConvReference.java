package org.hamkafka.core.model;

import org.hamkafka.core.model.Models.ConvShape;

/**
 * The convolution in double precision: plain loops over NCHW arrays, zero padding kernel/2. The innermost loop
 * runs along an output row with no branch in it (its range is worked out before), so the JIT keeps it tight: a
 * process's start-up check of SmallCNN's shapes is a few seconds, not tens.
 */
final class ConvReference {
    final ConvShape s;
    final int n;
    final int pad;
    final int outH;
    final int outW;

    ConvReference(ConvShape s, int n) {
        this.s = s;
        this.n = n;
        this.pad = s.kernel() / 2;
        this.outH = (s.height() + 2 * pad - s.kernel()) / s.stride() + 1;
        this.outW = (s.width() + 2 * pad - s.kernel()) / s.stride() + 1;
    }

    double[] forward(float[] x, float[] w, float[] b) {
        double[] y = new double[n * s.out() * outH * outW];
        for (int i = 0; i < y.length; i++) {
            y[i] = b[(i / (outH * outW)) % s.out()];
        }
        pass(x, w, null, y, null, null);
        return y;
    }

    /** Gradients of sum(y · g) with respect to x and w, added to dx and dw. */
    void backward(float[] x, float[] w, float[] g, double[] dx, double[] dw) {
        pass(x, w, g, null, dx, dw);
    }

    /**
     * Every term x[i,c,row,col] · w[o,c,u,v] of the convolution once: added to y (when y is given), and, with g,
     * g[i,o,p,q] · w to dx and g · x to dw.
     */
    private void pass(float[] x, float[] w, float[] g, double[] y, double[] dx, double[] dw) {
        int k = s.kernel();
        int st = s.stride();
        int h = s.height();
        int wd = s.width();
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < s.out(); o++) {
                int yPlane = (i * s.out() + o) * outH * outW;
                for (int c = 0; c < s.in(); c++) {
                    int xPlane = (i * s.in() + c) * h * wd;
                    for (int u = 0; u < k; u++) {
                        for (int v = 0; v < k; v++) {
                            int wi = ((o * s.in() + c) * k + u) * k + v;
                            double wv = w[wi];
                            // output columns q whose input column q*st + v - pad lies inside the image
                            int q0 = Math.max(0, Math.floorDiv(pad - v + st - 1, st));
                            int q1 = Math.min(outW - 1, Math.floorDiv(wd - 1 + pad - v, st));
                            double acc = 0;
                            for (int p = 0; p < outH; p++) {
                                int row = p * st + u - pad;
                                if (row < 0 || row >= h) {
                                    continue;
                                }
                                int yRow = yPlane + p * outW;
                                int xRow = xPlane + row * wd + v - pad;
                                if (y != null) {
                                    for (int q = q0; q <= q1; q++) {
                                        y[yRow + q] += wv * x[xRow + q * st];
                                    }
                                } else {
                                    for (int q = q0; q <= q1; q++) {
                                        double gv = g[yRow + q];
                                        dx[xRow + q * st] += gv * wv;
                                        acc += gv * x[xRow + q * st];
                                    }
                                }
                            }
                            if (y == null) {
                                dw[wi] += acc;
                            }
                        }
                    }
                }
            }
        }
    }
}
