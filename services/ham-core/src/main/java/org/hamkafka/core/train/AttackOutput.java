package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.attack.AttackStats;

/**
 * The attack half of a training step, as it travels from an attack worker back to the trainer.
 *
 * @param adversarial adversarial examples of the kept rows only, (n,C,H,W); null when n = 0 or the
 *                    method needs no adversarial examples (standard training)
 * @param keptIndices positions in the batch (or shard) of the kept rows, ascending; every row for
 *                    methods that drop nothing
 * @param variation   HAM's v for each kept row (length n), null for other methods
 * @param stats       examples in/kept, passes, time
 */
public record AttackOutput(NDArray adversarial, int[] keptIndices, float[] variation, AttackStats stats) {
}
