package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The loop shared by FGSM, PGD, CW-PGD and the TRADES attack:
 * {@code x_0 = Π(x + delta0)} (or x), then K {@link PgdStep}s
 * {@code x_k = Π(ascend(x_{k-1}, ∇x loss(f(x_{k-1}), y)))}. The model runs in inference mode inside a
 * {@link FrozenModel} (parameter gradients off, restored afterwards; temporaries in a sub-manager of
 * x's manager), and the result is attached to x's manager without gradient history.
 */
abstract class IterativeAttack implements Attack {
    protected final float eps;
    protected final float alpha;
    protected final int steps;
    protected final Norm norm;
    protected final boolean randomStart;
    protected final long seed;
    /** Counts calls so that two calls without a given start draw different starts. */
    private final AtomicLong calls = new AtomicLong();
    /** Passes spent: one forward and one backward over the batch per step. */
    private final AtomicLong rows = new AtomicLong();

    IterativeAttack(float eps, float alpha, int steps, Norm norm, boolean randomStart, long seed) {
        AttackMath.checkSettings(eps, alpha, steps);
        this.eps = eps;
        this.alpha = alpha;
        this.steps = steps;
        this.norm = AttackMath.checkNorm(norm);
        this.randomStart = randomStart;
        this.seed = seed;
    }

    /**
     * The loss to maximise for this batch, as a function of the logits. May run forward passes of its
     * own (TRADES needs p(x)); called with parameter gradients off, outside any gradient collector.
     */
    abstract Function<NDArray, NDArray> loss(Classifier f, NDArray x, NDArray y);

    /** The start this attack draws itself when no delta0 is given (L∞ box / L2 ball by default). */
    NDArray drawStart(NDManager m, long callSeed, Shape batchShape) {
        return AttackMath.ownStart(m, callSeed, batchShape, eps, norm);
    }

    @Override
    public final NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start) {
        return perturb(f, x, y, start, null);
    }

    /**
     * As {@link #perturb(Classifier, NDArray, NDArray, NDArray)}, each row in its own ball: row i's eps and alpha
     * times {@code scale_i} (shape (N); null: the same ball for every row). A given start is projected into it.
     */
    public final NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start, NDArray scale) {
        AttackMath.checkBatch(x, y, start);
        if (scale != null && !scale.getShape().equals(new Shape(x.getShape().get(0)))) {
            throw new IllegalArgumentException("scale must have one entry per row (" + x.getShape().get(0)
                    + "); got shape " + scale.getShape());
        }
        long call = calls.getAndIncrement();
        try (FrozenModel frozen = new FrozenModel(f, x)) {
            NDManager sub = frozen.manager();
            NDArray xs = AttackMath.local(x, sub);
            NDArray ys = AttackMath.local(y, sub);
            NDArray delta = start != null ? AttackMath.local(start, sub)
                    : randomStart ? drawStart(sub, AttackMath.callSeed(seed, call), x.getShape()) : null;
            NDArray rowScale = scale == null ? null : AttackMath.local(scale, sub);
            NDArray x0 = delta == null ? xs : AttackMath.project(xs.add(delta), xs, eps, norm, rowScale);
            NDArray xk = new PgdStep(eps, alpha, norm, rowScale).run(f, x0, xs, loss(f, xs, ys), steps);
            rows.addAndGet(x.getShape().get(0) * steps);
            NDArray out = xk.stopGradient();
            out.attach(x.getManager());
            return out;
        }
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("norm", norm.name());
        s.put("eps", eps);
        s.put("alpha", alpha);
        s.put("steps", steps);
        s.put("random_start", randomStart);
        return s;
    }

    @Override
    public long forwardRows() {
        return rows.get();
    }

    @Override
    public long backwardRows() {
        return rows.get();
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

    public Norm norm() {
        return norm;
    }

    /** "" for L∞, "-l2" for L2, appended to the names. */
    String normSuffix() {
        return norm == Norm.LINF ? "" : "-l2";
    }
}
