package org.hamkafka.core.train;

/**
 * Seeds derived from the run's seed, identical in every process (the distributed trainer and the
 * in-process run call the same functions; an epoch's batch order is
 * {@link org.hamkafka.core.data.Subsets#epochBatches}). The mixing function is SplitMix64's finalizer
 * (Stafford's variant 13), written out so that any language can reproduce it:
 * <pre>
 *   step(seed, epoch, batch)  = mix64(seed + GOLDEN · (epoch · 2^32 + batch + 1))
 *   mix64(z): z = (z ^ (z >>> 30)) · 0xBF58476D1CE4E5B9; z = (z ^ (z >>> 27)) · 0x94D049BB133111EB; z ^ (z >>> 31)
 * </pre>
 * with GOLDEN = 0x9E3779B97F4A7C15 and 64-bit wrapping arithmetic.
 */
public final class Seeds {
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The seed of one training step (random starts of the batch's attack). */
    public static long step(long seed, int epoch, int batch) {
        long position = ((long) epoch << 32) + batch + 1;
        return mix64(seed + GOLDEN * position);
    }

    /**
     * The seed of the fairness rule's validation attack before {@code epoch}: {@code step(seed, epoch, -1)}, a
     * position no batch has.
     */
    public static long validation(long seed, int epoch) {
        return step(seed, epoch, -1);
    }

    /** The seed of the validation split held out of the training split. */
    public static long heldOut(long seed) {
        return mix64(seed ^ 0x3C6EF372FE94F82BL);
    }

    /** The seed of the class-balanced training subset and the test subset. */
    public static long subset(long seed, boolean train) {
        return mix64(seed ^ (train ? 0x5DEECE66DL : 0xB5AD4ECEDA1CE2A9L));
    }

    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
