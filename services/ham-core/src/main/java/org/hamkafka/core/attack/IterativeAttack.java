package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The loop shared by FGSM, PGD, CW-PGD and the TRADES attack:
 * {@code x_0 = Π(x + delta0)} (or x), then {@code x_k = Π(ascend(x_{k-1}, ∇x loss(f(x_{k-1}), y)))}.
 * The model runs in inference mode with its parameter gradients switched off (restored afterwards),
 * all temporaries live in a sub-manager of x's manager, and the result is attached to x's manager
 * without gradient history.
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
        AttackMath.checkBatch(x, y, start);
        long call = calls.getAndIncrement();
        NDManager outer = x.getManager();
        boolean restore = AttackMath.parametersRequireGradient(f);
        f.requireParameterGradients(false);
        try (NDManager sub = outer.newSubManager()) {
            NDArray xs = AttackMath.local(x, sub);
            NDArray ys = AttackMath.local(y, sub);
            NDArray delta = start != null ? AttackMath.local(start, sub)
                    : randomStart ? drawStart(sub, AttackMath.callSeed(seed, call), x.getShape()) : null;
            NDArray xk = delta == null ? xs : AttackMath.project(xs.add(delta), xs, eps, norm);
            Function<NDArray, NDArray> loss = loss(f, xs, ys);
            for (int k = 1; k <= steps; k++) {
                // each step's forward, backward and temporaries are freed when it ends: memory stays flat in
                // the number of steps (they piled up in the sub-manager: 20000 steps took a worker to 19.9 GB)
                NDArray next;
                try (NDScope step = new NDScope()) {
                    NDArray g = AttackMath.inputGradient(f, xk, loss).gradient();
                    next = AttackMath.project(AttackMath.ascend(xk, g, alpha, norm), xs, eps, norm);
                    NDScope.unregister(next);
                }
                if (xk != xs) {
                    xk.close();
                }
                xk = next;
            }
            rows.addAndGet(x.getShape().get(0) * steps);
            NDArray out = xk.stopGradient();
            out.attach(outer);
            return out;
        } finally {
            if (restore) {
                f.requireParameterGradients(true);
            }
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
