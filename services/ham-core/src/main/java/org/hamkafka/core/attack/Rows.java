package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/** Row bookkeeping for {@link ApgdRun}: exact row copies by gather (no arithmetic, stays on the device). */
final class Rows {
    private Rows() {
    }

    /** Row j of {@code ifTrue} where flags[j], else of {@code ifFalse} (exact copies, no arithmetic). */
    static NDArray choose(boolean[] flags, NDArray ifTrue, NDArray ifFalse) {
        int[] take = new int[flags.length];
        for (int j = 0; j < flags.length; j++) {
            take[j] = flags[j] ? j : -1;
        }
        return replace(ifFalse, ifTrue, take);
    }

    /**
     * {@code base} with row i replaced by {@code other}'s row take[i] wherever take[i] &ge; 0 — one
     * gather over the two stacked, so that it stays on the arrays' device.
     */
    static NDArray replace(NDArray base, NDArray other, int[] take) {
        long rows = base.getShape().get(0);
        long[] idx = new long[take.length];
        for (int i = 0; i < take.length; i++) {
            idx[i] = take[i] < 0 ? i : rows + take[i];
        }
        return base.concat(other, 0).get(base.getManager().create(idx));
    }

    static int[] pick(int[] a, int[] keep) {
        return Arrays.stream(keep).map(j -> a[j]).toArray();
    }

    static float[] pick(float[] a, int[] keep) {
        float[] out = new float[keep.length];
        for (int j = 0; j < keep.length; j++) {
            out[j] = a[keep[j]];
        }
        return out;
    }

    static boolean[] pick(boolean[] a, int[] keep) {
        boolean[] out = new boolean[keep.length];
        for (int j = 0; j < keep.length; j++) {
            out[j] = a[keep[j]];
        }
        return out;
    }
}
