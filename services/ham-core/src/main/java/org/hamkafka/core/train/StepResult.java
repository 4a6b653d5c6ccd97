package org.hamkafka.core.train;

import org.hamkafka.core.attack.AttackStats;

/**
 * What one training step did.
 *
 * @param loss             the (weighted) training loss; NaN when the batch contributed nothing
 * @param examplesIn       batch size
 * @param examplesTrained  rows the optimizer step was taken on (HAM: the hard examples)
 * @param stepped          false when no optimizer step was taken (HAM with no hard example)
 * @param attackStats      cost of the attack half
 * @param trainForwardRows forward batch-rows of the training half
 * @param trainBackwardRows backward batch-rows of the training half
 */
public record StepResult(float loss, int examplesIn, int examplesTrained, boolean stepped, AttackStats attackStats,
                         long trainForwardRows, long trainBackwardRows) {
}
