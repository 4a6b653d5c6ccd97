package org.hamkafka.core.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubsetsTest {
    static final DatasetInfo INFO = new DatasetInfo("toy", 1, 1, 1, List.of("a", "b", "c"),
            new float[]{0f}, new float[]{1f});

    /** 60 examples: class i % 3, pixel = index / 100, so a subset's pixels reveal which examples it kept. */
    static Dataset toy(int n) {
        float[] px = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = i / 100f;
            labels[i] = i % 3;
        }
        return new Dataset(INFO, px, labels);
    }

    @Test
    void classBalancedCountsAndRemainder() {
        Dataset d = toy(60);
        assertArrayEquals(new int[]{10, 10, 10}, Subsets.classBalanced(d, 30, 1).classCounts());
        // 11 = 3*3 + 2: the first two classes get one more
        assertArrayEquals(new int[]{4, 4, 3}, Subsets.classBalanced(d, 11, 1).classCounts());
        assertArrayEquals(new int[]{20, 20, 20}, Subsets.classBalanced(d, 60, 1).classCounts());
    }

    @Test
    void classBalancedIsSeedDeterministicOrderedAndSeedDependent() {
        Dataset d = toy(60);
        int[] a = Subsets.classBalancedIndices(d, 12, 42);
        int[] b = Subsets.classBalancedIndices(d, 12, 42);
        int[] c = Subsets.classBalancedIndices(d, 12, 43);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed should pick other examples");
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i - 1] < a[i], "indices kept ascending and distinct");
        }
        Dataset s = Subsets.classBalanced(d, 12, 42);
        for (int k = 0; k < a.length; k++) {
            assertEquals(a[k] / 100f, s.image(k)[0], 0f);
            assertEquals(a[k] % 3, s.label(k));
        }
    }

    @Test
    void classBalancedRejectsImpossibleRequests() {
        // class 2 has only 1 example
        Dataset d = new Dataset(INFO, new float[7], new int[]{0, 0, 0, 1, 1, 1, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Subsets.classBalanced(d, 6, 0));
        assertTrue(e.getMessage().contains("class 2") && e.getMessage().contains("'c'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Subsets.classBalanced(d, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Subsets.classBalanced(d, 8, 0));
        assertArrayEquals(new int[]{1, 1, 1}, Subsets.classBalanced(d, 3, 0).classCounts());
    }

    @Test
    void shuffledBatchesCoverEveryIndexOnce() {
        int[][] batches = Subsets.shuffledBatches(103, 10, 7);
        assertEquals(11, batches.length);
        for (int i = 0; i < 10; i++) {
            assertEquals(10, batches[i].length);
        }
        assertEquals(3, batches[10].length, "last partial batch kept");
        int[] seen = new int[103];
        for (int[] batch : batches) {
            for (int i : batch) {
                seen[i]++;
            }
        }
        int[] ones = new int[103];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, seen);

        assertTrue(Arrays.deepEquals(batches, Subsets.shuffledBatches(103, 10, 7)));
        assertFalse(Arrays.deepEquals(batches, Subsets.shuffledBatches(103, 10, 8)));
        int[] identity = new int[103];
        Arrays.setAll(identity, i -> i);
        assertFalse(Arrays.equals(identity, Subsets.permutation(103, 7)), "actually shuffled");
        assertEquals(0, Subsets.shuffledBatches(0, 4, 1).length);
        assertThrows(IllegalArgumentException.class, () -> Subsets.shuffledBatches(10, 0, 1));
    }

    @Test
    void permutationIsFixedByTheJavaRandomSpecification() {
        // java.util.Random's generator is specified, so this order holds on every JVM; recomputed by
        // hand with the same Fisher–Yates walk over new Random(5).nextInt(i + 1)
        java.util.Random r = new java.util.Random(5);
        int[] expected = {0, 1, 2, 3, 4, 5};
        for (int i = 5; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertArrayEquals(expected, Subsets.permutation(6, 5));
    }

    @Test
    void epochBatchesDifferPerEpochAndRepeat() {
        assertTrue(Arrays.deepEquals(Subsets.epochBatches(50, 8, 3, 2), Subsets.epochBatches(50, 8, 3, 2)));
        assertFalse(Arrays.deepEquals(Subsets.epochBatches(50, 8, 3, 0), Subsets.epochBatches(50, 8, 3, 1)));
        assertTrue(Arrays.deepEquals(Subsets.epochBatches(50, 8, 3, 1),
                Subsets.shuffledBatches(50, 8, Subsets.epochSeed(3, 1))));
    }
}
