package org.hamkafka.contracts;

/**
 * Trainer → attack worker ({@link Topics#ATTACK_REQUESTS}): attack one shard of one training batch
 * with the model of version {@code modelVersion}.
 *
 * @param jobId        training job
 * @param step         global batch counter of the job (0-based)
 * @param epoch        epoch of the batch (0-based)
 * @param batchIndex   batch index within the epoch
 * @param shardIndex   which shard of the batch (0 <= shard_index < shard_count)
 * @param shardCount   number of shards the batch was split into
 * @param shardOffset  row of the batch where this shard starts
 * @param modelVersion version of the model snapshot to attack
 * @param modelKey     S3 object key of that snapshot (npz weights)
 * @param arch         model architecture, e.g. {@code smallcnn}, {@code preact-resnet18}
 * @param dataset      data set shape and classes, to rebuild the model
 * @param settings     the training method's attack settings
 * @param seed         seed of the random start (with example ids: reproducible per example)
 * @param exampleIds   data set index of each row of the shard
 * @param images       float32 (n, C, H, W), pixels in [0, 1]
 * @param labels       int64 (n)
 */
public record AttackRequest(int schemaVersion, String jobId, long step, int epoch, int batchIndex,
                            int shardIndex, int shardCount, int shardOffset, long modelVersion, String modelKey,
                            String arch, DatasetSpec dataset, AttackSettings settings, long seed,
                            long[] exampleIds, Tensor images, Tensor labels) implements Versioned {
    public AttackRequest {
        Require.nonBlank(jobId, "job_id");
        Require.nonNegative(step, "step");
        Require.nonNegative(shardIndex, "shard_index");
        Require.positive(shardCount, "shard_count");
        if (shardIndex >= shardCount) {
            throw new IllegalArgumentException("shard_index " + shardIndex + " must be < shard_count " + shardCount);
        }
        Require.nonNegative(shardOffset, "shard_offset");
        Require.nonBlank(modelKey, "model_key");
        Require.nonBlank(arch, "arch");
        Require.nonNull(dataset, "dataset");
        Require.nonNull(settings, "settings");
        Require.nonNull(exampleIds, "example_ids");
        Require.nonNull(images, "images");
        Require.nonNull(labels, "labels");
        long rows = images.shape().length == 0 ? -1 : images.shape()[0];
        if (images.dtype() != Tensor.DType.FLOAT32 || images.shape().length != 4) {
            throw new IllegalArgumentException("images must be float32 (n, C, H, W), got " + images);
        }
        if (labels.dtype() != Tensor.DType.INT64 || labels.shape().length != 1 || labels.shape()[0] != rows
                || exampleIds.length != rows) {
            throw new IllegalArgumentException("labels (int64) and example_ids need one entry per image row ("
                    + rows + "), got labels " + labels + " and " + exampleIds.length + " example_ids");
        }
    }

    /** Number of examples in this shard. */
    public int rows() {
        return exampleIds.length;
    }
}
