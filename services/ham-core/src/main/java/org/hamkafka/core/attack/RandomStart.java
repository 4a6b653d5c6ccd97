package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/**
 * Reproducible random starts: the noise of each example comes from its own generator, seeded by
 * (seed, example id). A batch split into shards across attack workers therefore gets exactly the
 * noise it would get in one process, and CPU and GPU runs start from the same points.
 */
public final class RandomStart {
    private RandomStart() {
    }

    /** Uniform noise in [-eps, eps] per element, shape (ids.length, C, H, W). */
    public static NDArray uniform(NDManager manager, long seed, long[] exampleIds, Shape imageShape, float eps) {
        int per = (int) imageShape.size();
        float[] noise = new float[exampleIds.length * per];
        for (int i = 0; i < exampleIds.length; i++) {
            SplittableRandom r = generator(seed, exampleIds[i]);
            for (int j = 0; j < per; j++) {
                noise[i * per + j] = (float) ((2 * r.nextDouble() - 1) * eps);
            }
        }
        return manager.create(noise, new Shape(exampleIds.length).addAll(imageShape));
    }

    /** Standard normal noise times {@code scale} (TRADES starts at x + 0.001·N(0,1)). */
    public static NDArray normal(NDManager manager, long seed, long[] exampleIds, Shape imageShape, float scale) {
        int per = (int) imageShape.size();
        float[] noise = new float[exampleIds.length * per];
        for (int i = 0; i < exampleIds.length; i++) {
            java.util.Random r = new java.util.Random(generator(seed, exampleIds[i]).nextLong());
            for (int j = 0; j < per; j++) {
                noise[i * per + j] = (float) (r.nextGaussian() * scale);
            }
        }
        return manager.create(noise, new Shape(exampleIds.length).addAll(imageShape));
    }

    /**
     * Uniform noise in the L2 ball of radius eps (the L2 threat model's random start): a Gaussian
     * direction scaled to radius eps·u^(1/d), u uniform in [0,1), d = C·H·W, per example.
     */
    public static NDArray l2Ball(NDManager manager, long seed, long[] exampleIds, Shape imageShape, float eps) {
        int per = (int) imageShape.size();
        float[] noise = new float[exampleIds.length * per];
        double[] dir = new double[per];
        for (int i = 0; i < exampleIds.length; i++) {
            SplittableRandom g = generator(seed, exampleIds[i]);
            java.util.Random r = new java.util.Random(g.nextLong());
            double norm2 = 0;
            for (int j = 0; j < per; j++) {
                dir[j] = r.nextGaussian();
                norm2 += dir[j] * dir[j];
            }
            double radius = eps * Math.pow(g.nextDouble(), 1.0 / per);
            double scale = norm2 > 0 ? radius / Math.sqrt(norm2) : 0;
            for (int j = 0; j < per; j++) {
                noise[i * per + j] = (float) (dir[j] * scale);
            }
        }
        return manager.create(noise, new Shape(exampleIds.length).addAll(imageShape));
    }

    /** Example ids for a batch that does not come with its own: first, first+1, ... */
    public static long[] consecutive(long first, int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = first + i;
        }
        return ids;
    }

    private static SplittableRandom generator(long seed, long exampleId) {
        // mix both so that neighbouring seeds and ids give unrelated streams
        return new SplittableRandom(new SplittableRandom(seed).nextLong() ^ (exampleId * 0x9E3779B97F4A7C15L));
    }
}
