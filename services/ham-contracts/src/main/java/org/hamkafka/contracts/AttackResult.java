package org.hamkafka.contracts;

/**
 * Attack worker → trainer ({@link Topics#ATTACK_RESULTS}): the attack half's output for one shard.
 *
 * @param keptIndices  rows of the shard (0-based, relative to shard_offset) that were kept, ascending;
 *                     every row for methods that drop nothing; empty when error is set
 * @param variation    HAM's variation v of each kept row (aligned with kept_indices), or null
 * @param adversarial  float32 (kept, C, H, W) adversarial examples of the kept rows, or null when none
 *                     were kept, the method needs none, or error is set
 * @param stats        examples in/kept, passes, wall time
 * @param workerId     which worker attacked (for logs and metrics)
 * @param error        null, or why the worker could not attack this shard
 */
public record AttackResult(int schemaVersion, String jobId, long step, int epoch, int shardIndex, int shardCount,
                           int shardOffset, long modelVersion, int[] keptIndices, @Nullable float[] variation,
                           @Nullable Tensor adversarial, ShardStats stats, String workerId,
                           @Nullable String error) implements Versioned {
    public AttackResult {
        Require.nonBlank(jobId, "job_id");
        Require.nonNull(keptIndices, "kept_indices");
        Require.nonNull(stats, "stats");
        Require.nonBlank(workerId, "worker_id");
        if (variation != null && variation.length != keptIndices.length) {
            throw new IllegalArgumentException("variation has " + variation.length + " values but kept_indices has "
                    + keptIndices.length);
        }
        if (adversarial != null && (adversarial.shape().length == 0 || adversarial.shape()[0] != keptIndices.length)) {
            throw new IllegalArgumentException("adversarial " + adversarial + " must have one row per kept index ("
                    + keptIndices.length + ")");
        }
    }

    /**
     * A result saying the worker could not attack the shard of {@code request}, in the request's schema version
     * (a trainer that sends version 1 reads version 1).
     */
    public static AttackResult failure(AttackRequest request, String workerId, String error) {
        return new AttackResult(request.schemaVersion(), request.jobId(), request.step(), request.epoch(),
                request.shardIndex(), request.shardCount(), request.shardOffset(), request.modelVersion(),
                new int[0], null, null, new ShardStats(request.rows(), 0, 0, 0, 0), workerId,
                Require.nonBlank(error, "error"));
    }

    public boolean failed() {
        return error != null;
    }
}
