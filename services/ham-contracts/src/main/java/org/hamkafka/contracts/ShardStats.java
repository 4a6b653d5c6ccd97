package org.hamkafka.contracts;

/**
 * What attacking one shard cost; passes counted in batch-rows (a forward pass over 64 rows counts 64).
 */
public record ShardStats(int examplesIn, int examplesKept, long forwardRows, long backwardRows, double millis) {
    public static ShardStats zero() {
        return new ShardStats(0, 0, 0, 0, 0);
    }
}
