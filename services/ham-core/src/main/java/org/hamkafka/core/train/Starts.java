package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.attack.RandomStart;

/** Random starts of the attack halves, fixed by (step seed, example id) so any process reproduces them. */
final class Starts {
    private Starts() {
    }

    static Shape imageShape(NDArray x) {
        return x.getShape().slice(1);
    }

    /** Uniform start in the L∞ box; for L2 the attack draws its own start (from its seed). */
    static NDArray uniform(NDArray x, long seed, long[] exampleIds, float eps, Norm norm) {
        checkIds(x, exampleIds);
        return norm == Norm.LINF ? RandomStart.uniform(x.getManager(), seed, exampleIds, imageShape(x), eps) : null;
    }

    /** TRADES' start x + 0.001·N(0,1). */
    static NDArray trades(NDArray x, long seed, long[] exampleIds) {
        checkIds(x, exampleIds);
        return RandomStart.normal(x.getManager(), seed, exampleIds, imageShape(x), 0.001f);
    }

    static void checkIds(NDArray x, long[] exampleIds) {
        if (exampleIds == null || exampleIds.length != x.getShape().get(0)) {
            throw new IllegalArgumentException("exampleIds must hold one id per row of x (" + x.getShape().get(0)
                    + "); got " + (exampleIds == null ? "null" : exampleIds.length));
        }
    }

    static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    static long[] toLong(int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = idx[i];
        }
        return l;
    }
}
