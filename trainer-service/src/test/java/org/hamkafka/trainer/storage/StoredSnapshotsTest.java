package org.hamkafka.trainer.storage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clean-up rule of a job's snapshots: keep everything the current weights, the resume state or a batch in flight needs. */
class StoredSnapshotsTest {

    @Test
    void oldestNeededIsTheSmallestOfCurrentStateAndInFlight() {
        // pipelined: batches in flight attacked with 5 and 6, the last resume state names 4
        assertEquals(4, StoredSnapshots.oldestNeeded(7, 4, new long[]{5, 6}));
        // a batch in flight older than the state (sent before the state was written, still out)
        assertEquals(3, StoredSnapshots.oldestNeeded(7, 4, new long[]{6, 3}));
        // nothing in flight, state at the current weights
        assertEquals(7, StoredSnapshots.oldestNeeded(7, 7, new long[0]));
        // the current weights are the floor even if the state were newer
        assertEquals(7, StoredSnapshots.oldestNeeded(7, 9, new long[]{8}));
    }

    @Test
    void removesOnlyOlderVersionsOldestFirstAndForgetsTheirSha() {
        StoredSnapshots s = new StoredSnapshots();
        for (long v = 1; v <= 6; v++) {
            s.add(v, "sha-" + v);
        }
        assertEquals(List.of(1L, 2L, 3L), s.removeOlderThan(4));
        assertFalse(s.contains(3));
        assertNull(s.sha(3));
        assertTrue(s.contains(4), "the oldest needed version stays");
        assertEquals("sha-4", s.sha(4));
        assertEquals(List.of(), s.removeOlderThan(4), "nothing left to remove below 4");
        assertEquals(List.of(4L, 5L), s.removeOlderThan(6));
        assertTrue(s.contains(6));
    }

    @Test
    void aVersionFoundInS3HasNoShaUntilItIsRead() {
        StoredSnapshots s = new StoredSnapshots();
        s.add(3, null);
        assertTrue(s.contains(3));
        assertNull(s.sha(3));
        s.add(3, "abc");
        assertEquals("abc", s.sha(3));
    }

    @Test
    void minFallsBackWhenEmpty() {
        assertEquals(5, StoredSnapshots.min(new long[0], 5));
        assertEquals(2, StoredSnapshots.min(new long[]{4, 2, 3}, 5));
        assertEquals(5, StoredSnapshots.min(new long[]{6, 7}, 5));
    }
}
