package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;

/**
 * The outcome of HAM's early-dropping PGD on one batch.
 *
 * @param hardAdversarial x_K of the hard examples only, (n,C,H,W); null when n = 0
 * @param hardIndices     positions (in the input batch) of the hard examples, ascending
 * @param variation       v = max_k ||p(x_k) - p(x_{k-1})||_1 of each hard example (length n)
 * @param stats           examples in/kept, passes in batch-rows, wall time
 */
public record EarlyDropResult(NDArray hardAdversarial, int[] hardIndices, float[] variation, AttackStats stats) {
    public int hardCount() {
        return hardIndices.length;
    }
}
