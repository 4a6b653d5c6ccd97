package org.hamkafka.attack.service;

import org.hamkafka.core.attack.AttackStats;

/**
 * The attack half's output for one shard, as plain arrays ready to encode.
 *
 * @param keptIndices       rows of the shard that the training half uses, ascending
 * @param variation         HAM's v of each kept row; null for methods without it
 * @param adversarial       adversarial rows of the kept examples, k·C·H·W (null when k = 0 or the method needs none)
 * @param adversarialShape  (k, C, H, W)
 * @param pgdForwardRows    forward rows plain K-step PGD would have cost on the whole shard
 * @param pgdBackwardRows   backward rows plain K-step PGD would have cost on the whole shard
 */
public record AttackedShard(int[] keptIndices, float[] variation, float[] adversarial, long[] adversarialShape,
                            AttackStats stats, long pgdForwardRows, long pgdBackwardRows, String workerId,
                            String device) {
    public double dropRate() {
        return stats.examplesIn() == 0 ? 0 : 1.0 - (double) stats.examplesKept() / stats.examplesIn();
    }
}
