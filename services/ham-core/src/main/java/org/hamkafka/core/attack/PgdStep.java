package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.hamkafka.core.model.Classifier;

import java.util.function.Function;
import java.util.function.ObjIntConsumer;

/**
 * The PGD step, {@code x_k = Π(ascend(x_{k-1}, ∇x loss(f(x_{k-1}))))}, with Π onto the eps-ball around
 * the clean x and [0,1]: the one place it is written, for {@link IterativeAttack} (PGD, CW-PGD, FGSM,
 * TRADES) and {@link EarlyDropPgd}. The caller has switched f's parameter gradients off ({@link FrozenModel}).
 */
record PgdStep(float eps, float alpha, Norm norm, NDArray scale) {

    /** Every row's ball of radius eps, step alpha. */
    PgdStep(float eps, float alpha, Norm norm) {
        this(eps, alpha, norm, null);
    }

    /**
     * The same step with row i's radius and step size times {@code scale_i} (shape (N), the rows of the batch it
     * runs on; null: as above): per-class budgets, eps and alpha alike.
     */
    PgdStep scaled(NDArray scale) {
        return new PgdStep(eps, alpha, norm, scale);
    }

    /**
     * Takes {@code count} steps from {@code from} and returns the last point. Each step's forward,
     * backward and temporaries are freed when the step ends, so memory stays flat in the number of
     * steps; every point the steps leave behind is closed, {@code from} too unless it is {@code clean}.
     *
     * @param logits sees {@code (f(x_{k-1}), k)} for k = 1..count, the logits (detached) of each step's
     *               forward; it runs inside the step's {@link NDScope}, so what it keeps it unregisters
     */
    NDArray run(Classifier f, NDArray from, NDArray clean, Function<NDArray, NDArray> loss, int count,
                ObjIntConsumer<NDArray> logits) {
        NDArray xk = from;
        for (int k = 1; k <= count; k++) {
            NDArray next;
            try (NDScope step = new NDScope()) {
                AttackMath.GradientAndLogits gl = AttackMath.inputGradient(f, xk, loss);
                logits.accept(gl.logits(), k);
                next = AttackMath.project(AttackMath.ascend(xk, gl.gradient(), alpha, norm, scale), clean, eps, norm,
                        scale);
                NDScope.unregister(next);
            }
            if (xk != clean) {
                xk.close();
            }
            xk = next;
        }
        return xk;
    }

    /** Takes {@code count} steps from {@code from}, as the method above, without looking at the logits. */
    NDArray run(Classifier f, NDArray from, NDArray clean, Function<NDArray, NDArray> loss, int count) {
        return run(f, from, clean, loss, count, (z, k) -> { });
    }
}
