package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.AttackStats;

import java.util.ArrayList;
import java.util.List;

/** Helpers for {@link AttackOutput}s: gathering the shards of one batch attacked by several workers. */
public final class AttackOutputs {
    private AttackOutputs() {
    }

    /**
     * Concatenates shard outputs back into the batch's output: kept indices shifted by each shard's
     * offset in the batch, adversarial rows and variations in the same order, statistics summed.
     * The adversarial array is created in {@code manager}.
     *
     * @param shardOffsets position in the batch of each shard's first row, strictly increasing
     */
    public static AttackOutput gather(List<AttackOutput> shards, int[] shardOffsets, NDManager manager) {
        if (shards.size() != shardOffsets.length) {
            throw new IllegalArgumentException(shards.size() + " shards but " + shardOffsets.length + " offsets");
        }
        for (int s = 1; s < shardOffsets.length; s++) {
            if (shardOffsets[s] <= shardOffsets[s - 1]) {
                throw new IllegalArgumentException("shard offsets must increase strictly; got "
                        + shardOffsets[s - 1] + " then " + shardOffsets[s]);
            }
        }
        int total = 0;
        boolean anyVariation = false;
        boolean allVariation = true;
        for (AttackOutput o : shards) {
            total += o.keptIndices().length;
            anyVariation |= o.variation() != null;
            allVariation &= o.variation() != null;
        }
        if (anyVariation && !allVariation) {
            throw new IllegalArgumentException("some shards carry HAM's variation and some do not: "
                    + "they were attacked by different methods");
        }
        int[] kept = new int[total];
        float[] variation = anyVariation ? new float[total] : null;
        List<NDArray> rows = new ArrayList<>();
        AttackStats stats = AttackStats.zero();
        int k = 0;
        for (int s = 0; s < shards.size(); s++) {
            AttackOutput o = shards.get(s);
            int[] idx = o.keptIndices();
            for (int i = 0; i < idx.length; i++) {
                kept[k + i] = idx[i] + shardOffsets[s];
            }
            if (variation != null) {
                System.arraycopy(o.variation(), 0, variation, k, idx.length);
            }
            k += idx.length;
            if (o.adversarial() != null && idx.length > 0) {
                rows.add(o.adversarial());
            }
            stats = stats.plus(o.stats());
        }
        NDArray adversarial = null;
        if (!rows.isEmpty()) {
            NDList moved = new NDList();
            for (NDArray r : rows) {
                moved.add(r.toDevice(manager.getDevice(), false));
            }
            adversarial = NDArrays.concat(moved, manager);
        }
        return new AttackOutput(adversarial, kept, variation, stats);
    }

    /** Concatenation along axis 0 with the result owned by {@code manager}. */
    private static final class NDArrays {
        static NDArray concat(NDList list, NDManager manager) {
            NDArray out = list.size() == 1 ? list.get(0).duplicate() : ai.djl.ndarray.NDArrays.concat(list, 0);
            out.attach(manager);
            return out;
        }
    }
}
