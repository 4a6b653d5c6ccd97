package org.hamkafka.core.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Deterministic subsets and epoch plans. Randomness comes from {@link java.util.Random}, whose
 * generator the Java specification fixes, and a hand-written Fisher–Yates shuffle, so the same seed
 * gives the same result on every JVM — the in-process and the distributed trainer rely on this.
 */
public final class Subsets {
    private Subsets() {
    }

    /**
     * A class-balanced subset of exactly {@code n} examples: {@code n / classes} per class, the
     * remainder one each to the first classes. Examples are drawn at random with {@code seed} and kept
     * in their original order.
     */
    public static Dataset classBalanced(Dataset d, int n, long seed) {
        return d.subset(classBalancedIndices(d, n, seed));
    }

    /** The indices (ascending) into {@code d} that {@link #classBalanced} keeps. */
    public static int[] classBalancedIndices(Dataset d, int n, long seed) {
        int classes = d.info().numClasses();
        if (n <= 0 || n > d.size()) {
            throw new IllegalArgumentException("subset size n must be in [1, " + d.size() + "], got " + n);
        }
        int[] counts = d.classCounts();
        int[][] byClass = new int[classes][];
        int[] fill = new int[classes];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
        }
        for (int i = 0; i < d.size(); i++) {
            int c = d.label(i);
            byClass[c][fill[c]++] = i;
        }
        int base = n / classes;
        int extra = n % classes;
        for (int c = 0; c < classes; c++) {
            int want = base + (c < extra ? 1 : 0);
            if (counts[c] < want) {
                throw new IllegalArgumentException("class " + c + " ('" + d.info().classNames().get(c) + "') has only "
                        + counts[c] + " examples; a balanced subset of " + n + " needs " + want);
            }
        }
        Random random = new Random(seed);
        int[] out = new int[n];
        int k = 0;
        for (int c = 0; c < classes; c++) {
            int want = base + (c < extra ? 1 : 0);
            shuffle(byClass[c], random);
            System.arraycopy(byClass[c], 0, out, k, want);
            k += want;
        }
        Arrays.sort(out);
        return out;
    }

    /** A permutation of 0..size-1 drawn with {@code seed}. */
    public static int[] permutation(int size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        shuffle(p, new Random(seed));
        return p;
    }

    /**
     * One epoch's plan: a seeded permutation of 0..size-1 cut into batches of {@code batchSize}; the
     * last batch holds the remainder (smaller, not dropped).
     */
    public static int[][] shuffledBatches(int size, int batchSize, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        int[] p = permutation(size, seed);
        int batches = (size + batchSize - 1) / batchSize;
        int[][] out = new int[batches][];
        for (int b = 0; b < batches; b++) {
            out[b] = Arrays.copyOfRange(p, b * batchSize, Math.min(size, (b + 1) * batchSize));
        }
        return out;
    }

    /**
     * The plan of epoch {@code epoch} of a run seeded {@code runSeed}: {@link #shuffledBatches} with
     * {@link #epochSeed}, so both trainers derive per-epoch orders the same way.
     */
    public static int[][] epochBatches(int size, int batchSize, long runSeed, int epoch) {
        return shuffledBatches(size, batchSize, epochSeed(runSeed, epoch));
    }

    /** A per-epoch seed mixed from the run seed (SplitMix64 finalizer), so nearby epochs are unrelated. */
    public static long epochSeed(long runSeed, int epoch) {
        long z = runSeed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
