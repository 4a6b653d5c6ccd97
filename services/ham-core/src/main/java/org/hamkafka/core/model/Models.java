package org.hamkafka.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import org.hamkafka.core.data.DatasetInfo;

/** The model zoo, by name, each sized from the data set. Normalization is always the first layer. */
public final class Models {
    private Models() {
    }

    /**
     * Builds an uninitialized block. Names: {@code linear} (one fully connected layer, for tests),
     * more to come.
     */
    public static Block build(String arch, DatasetInfo info) {
        SequentialBlock net = new SequentialBlock().add(normalization(info));
        switch (arch) {
            case "linear":
                net.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(info.numClasses()).build());
                break;
            default:
                throw new IllegalArgumentException("unknown model '" + arch + "'; known: linear");
        }
        return net;
    }

    /** (x - mean) / std per channel, inside the model so attacks see [0,1] pixels. */
    static Block normalization(DatasetInfo info) {
        float[] mean = info.mean();
        float[] std = info.std();
        return new LambdaBlock(list -> {
            NDArray x = list.singletonOrThrow();
            NDManager m = x.getManager();
            NDArray mu = m.create(mean).reshape(1, mean.length, 1, 1);
            NDArray sd = m.create(std).reshape(1, std.length, 1, 1);
            return new NDList(x.sub(mu).div(sd));
        }, "normalize");
    }
}
