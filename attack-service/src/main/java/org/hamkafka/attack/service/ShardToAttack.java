package org.hamkafka.attack.service;

import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.train.TrainConfig;

/**
 * One shard of a training batch to attack, decoded from a request.
 *
 * @param info       shape, classes and the normalization the model was built with
 * @param images     n·C·H·W pixels in [0,1], C order
 * @param imageShape (n, C, H, W)
 * @param labels     n class labels
 * @param exampleIds n data-set indices (they fix each row's random start)
 */
public record ShardToAttack(String jobId, long step, int shardIndex, int epoch, long seed, TrainConfig config,
                            DatasetInfo info, SnapshotRef snapshot, float[] images, long[] imageShape,
                            long[] labels, long[] exampleIds) {
    public int rows() {
        return (int) imageShape[0];
    }
}
