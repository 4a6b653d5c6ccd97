package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;

/**
 * The pieces every gradient attack shares: losses, the ascent step, the projection onto the threat
 * model, and one forward+backward pass for the gradient w.r.t. the input. Package-private: the
 * attacks are the public API.
 */
final class AttackMath {
    /** Keeps a zero gradient from dividing by zero in the L2 step and projection. */
    private static final float TINY = 1e-12f;

    private AttackMath() {
    }

    /** The gradient of a loss w.r.t. the input and the logits of the same forward pass (detached). */
    record GradientAndLogits(NDArray gradient, NDArray logits) {
    }

    /**
     * One forward (inference mode) and one backward pass at {@code xk}; the caller has switched the
     * parameter gradients off, so only the input receives a gradient.
     */
    static GradientAndLogits inputGradient(Classifier f, NDArray xk, Function<NDArray, NDArray> loss) {
        // a fresh leaf each step: the gradient must not flow back into earlier steps
        NDArray leaf = xk.stopGradient();
        leaf.setRequiresGradient(true);
        try (GradientCollector gc = f.manager().getEngine().newGradientCollector()) {
            NDArray logits = f.logits(leaf, false);
            gc.backward(loss.apply(logits));
            return new GradientAndLogits(leaf.getGradient().stopGradient(), logits.stopGradient());
        }
    }

    /**
     * TRADES' attack objective on logits, {@code KL(p || p(x'))} summed over the batch, with {@code p} the clean
     * probabilities (a constant): {@code -Σ p log p(x')}, the KL without its constant {@code Σ p log p} (same
     * gradient, and no 0·log 0 when a probability underflows).
     */
    static Function<NDArray, NDArray> tradesKl(NDArray pClean) {
        return logits -> pClean.mul(logits.logSoftmax(1)).sum().neg();
    }

    /** Mean cross-entropy over the batch (what PGD-AT maximises). */
    static NDArray crossEntropy(NDArray logits, NDArray y) {
        NDArray oneHot = oneHot(logits, y);
        return logits.logSoftmax(1).mul(oneHot).sum(new int[]{1}).neg().mean();
    }

    /** Mean CW margin max_{j != y} z_j - z_y over the batch (maximised by the CW attack). */
    static NDArray cwMargin(NDArray logits, NDArray y) {
        NDArray oneHot = oneHot(logits, y);
        NDArray zy = logits.mul(oneHot).sum(new int[]{1});
        // push the true class far down so that max picks the best other class; d/dz of the shift is 1
        NDArray others = logits.sub(oneHot.mul(1e9f)).max(new int[]{1});
        return others.sub(zy).mean();
    }

    static NDArray oneHot(NDArray logits, NDArray y) {
        int classes = (int) logits.getShape().get(1);
        return y.toType(DataType.INT64, false).oneHot(classes).toType(DataType.FLOAT32, false);
    }

    /**
     * {@link #ascend(NDArray, NDArray, float, Norm)} with row i's step {@code alpha·scale_i} ({@code scale} shape (N);
     * null: the same step for every row, exactly as without it).
     */
    static NDArray ascend(NDArray xk, NDArray g, float alpha, Norm norm, NDArray scale) {
        if (scale == null) {
            return ascend(xk, g, alpha, norm);
        }
        NDArray step = perExample(scale.mul(alpha), g.getShape());
        if (norm == Norm.LINF) {
            return xk.add(g.sign().mul(step));
        }
        NDArray n = perExample(l2Norms(g).add(TINY), g.getShape());
        return xk.add(g.div(n).mul(step));
    }

    /** One ascent step: alpha·sign(g) for L∞, alpha·g/||g||_2 per example for L2. */
    static NDArray ascend(NDArray xk, NDArray g, float alpha, Norm norm) {
        if (norm == Norm.LINF) {
            return xk.add(g.sign().mul(alpha));
        }
        NDArray n = perExample(l2Norms(g).add(TINY), g.getShape());
        return xk.add(g.div(n).mul(alpha));
    }

    /**
     * Π: for L∞ clip to [x - eps, x + eps] then to [0,1]; for L2 scale the perturbation back onto the
     * ball of radius eps around x, then clip to [0,1] (which only shrinks it, so it stays in the ball).
     */
    static NDArray project(NDArray z, NDArray x, float eps, Norm norm) {
        if (norm == Norm.LINF) {
            return z.maximum(x.sub(eps)).minimum(x.add(eps)).clip(0f, 1f);
        }
        NDArray delta = z.sub(x);
        NDArray factor = l2Norms(delta).add(TINY).pow(-1).mul(eps).minimum(1f);
        return x.add(delta.mul(perExample(factor, delta.getShape()))).clip(0f, 1f);
    }

    /**
     * {@link #project(NDArray, NDArray, float, Norm)} onto row i's own ball, of radius {@code eps·scale_i}
     * ({@code scale} shape (N); null: every row's radius eps, exactly as without it).
     */
    static NDArray project(NDArray z, NDArray x, float eps, Norm norm, NDArray scale) {
        if (scale == null) {
            return project(z, x, eps, norm);
        }
        NDArray radius = scale.mul(eps);
        if (norm == Norm.LINF) {
            NDArray r = perExample(radius, x.getShape());
            return z.maximum(x.sub(r)).minimum(x.add(r)).clip(0f, 1f);
        }
        NDArray delta = z.sub(x);
        NDArray factor = l2Norms(delta).add(TINY).pow(-1).mul(radius).minimum(1f);
        return x.add(delta.mul(perExample(factor, delta.getShape()))).clip(0f, 1f);
    }

    /** ||row||_2 of every example, shape (N). */
    static NDArray l2Norms(NDArray a) {
        long n = a.getShape().get(0);
        return a.reshape(n, -1).square().sum(new int[]{1}).sqrt();
    }

    /** ||row||_1 of every example, shape (N). */
    static NDArray l1Norms(NDArray a) {
        long n = a.getShape().get(0);
        return a.reshape(n, -1).abs().sum(new int[]{1});
    }

    /** Reshapes a per-example vector (N) to (N,1,1,...) so that it broadcasts over {@code like}. */
    static NDArray perExample(NDArray v, Shape like) {
        long[] dims = new long[like.dimension()];
        java.util.Arrays.fill(dims, 1L);
        dims[0] = like.get(0);
        return v.reshape(new Shape(dims));
    }

    /** The start perturbation an attack draws itself: uniform in the box (L∞) or in the ball (L2). */
    static NDArray ownStart(NDManager m, long seed, Shape batchShape, float eps, Norm norm) {
        int n = (int) batchShape.get(0);
        long[] ids = RandomStart.consecutive(0, n);
        Shape image = batchShape.slice(1);
        return norm == Norm.LINF
                ? RandomStart.uniform(m, seed, ids, image, eps)
                : RandomStart.l2Ball(m, seed, ids, image, eps);
    }

    /** A seed for the {@code call}-th call of an attack: the first call uses the seed itself. */
    static long callSeed(long seed, long call) {
        return seed ^ (call * 0xD1B54A32D192ED69L);
    }

    /** A view of {@code a} owned by {@code m} (no copy), so that closing m frees it and not a. */
    static NDArray local(NDArray a, NDManager m) {
        NDArray view = a.stopGradient();
        view.attach(m);
        return view;
    }

    /** Whether any trainable parameter currently tracks gradients (the state an attack restores). */
    static boolean parametersRequireGradient(Classifier f) {
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            if (p.getValue().requiresGradient() && p.getValue().isInitialized()
                    && p.getValue().getArray().hasGradient()) {
                return true;
            }
        }
        return false;
    }

    static void checkBatch(NDArray x, NDArray y, NDArray start) {
        if (x == null || y == null) {
            throw new IllegalArgumentException("x and y must not be null");
        }
        Shape s = x.getShape();
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("x must be a batch (N,C,H,W); got shape " + s);
        }
        if (y.getShape().dimension() != 1 || y.getShape().get(0) != s.get(0)) {
            throw new IllegalArgumentException("y must have shape (" + s.get(0) + "); got " + y.getShape());
        }
        if (start != null && !start.getShape().equals(s)) {
            throw new IllegalArgumentException("start (delta0) must have the shape of x " + s + "; got "
                    + start.getShape());
        }
    }

    /** An attack's budget: finite and >= 0 (0: the clean point). */
    static float checkEps(float eps) {
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be a finite number >= 0; got " + eps);
        }
        return eps;
    }

    static void checkSettings(float eps, float alpha, int steps) {
        checkEps(eps);
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha (step size) must be a finite number > 0; got " + alpha);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1; got " + steps);
        }
    }

    static Norm checkNorm(Norm norm) {
        if (norm == null) {
            throw new IllegalArgumentException("norm must be LINF or L2; got null");
        }
        return norm;
    }
}
