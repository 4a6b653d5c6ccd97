package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.model.Classifier;

import java.util.Map;

/**
 * One attack, one call: {@code perturb(f, x, y) -> x_adv}. Every implementation runs f in inference
 * mode, keeps {@code x_adv} within the eps-ball of x and inside [0,1], and leaves f's parameter
 * gradients untouched. The returned array is detached (no gradient history).
 */
public interface Attack {
    /**
     * @param x images (N,C,H,W) in [0,1]
     * @param y labels (N) int64
     * @param start the random-start perturbation delta0 (same shape as x), or null for the attack's
     *              own choice (its configured random start, or none). Passing it makes a run
     *              reproducible across processes; see {@link RandomStart}.
     */
    NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start);

    default NDArray perturb(Classifier f, NDArray x, NDArray y) {
        return perturb(f, x, y, null);
    }

    /** Short name used in reports, e.g. "pgd-20" or "cw-20". */
    String name();

    /**
     * The attack's settings as they travel with every robust number (snake_case names as in the papers:
     * eps, alpha, steps, iterations, restarts, targets, ...).
     */
    Map<String, Object> settings();

    /** Example-rows of forward passes this instance has spent so far (cumulative over its calls). */
    long forwardRows();

    /** Example-rows of backward passes this instance has spent so far (cumulative over its calls). */
    long backwardRows();
}
