package org.hamkafka.attack.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotDigestsTest {

    @Test
    void announcedVersionResolvesToItsDigest() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        d.announce("job", 3, "jobs/job/models/3.npz", "ab12");
        SnapshotRef ref = d.await("job", 3, "jobs/job/models/3.npz", Duration.ofMillis(10));
        assertEquals(new SnapshotRef("job", 3, "jobs/job/models/3.npz", "ab12"), ref);
    }

    @Test
    void requestArrivingBeforeTheAnnouncementWaitsForIt() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        CompletableFuture<SnapshotRef> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return d.await("job", 1, "k", Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "must wait while the version is unknown");
        d.announce("job", 1, "k", "cafe");
        assertEquals("cafe", waiting.get(5, TimeUnit.SECONDS).sha256());
    }

    @Test
    void aJobNeverAnnouncedWaitsOnlyTheShortWaitAKnownJobTheFullOne() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        // an unknown job: rejected after the short wait, not the minute-long one
        SnapshotRejectedException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                SnapshotRejectedException.class, () -> d.await("nobody", 1, "k", Duration.ofSeconds(60),
                        Duration.ofMillis(50))));
        assertTrue(e.getMessage().contains("unknown job nobody"), e.getMessage());
        // a known job whose next version is announced late still gets it (the short wait would have failed)
        d.announce("job", 1, "k1", "a");
        CompletableFuture<SnapshotRef> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return d.await("job", 2, "k2", Duration.ofSeconds(60), Duration.ofMillis(50));
            } catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        });
        Thread.sleep(300);
        assertFalse(waiting.isDone(), "a known job waits past the unknown-job wait");
        d.announce("job", 2, "k2", "b");
        assertEquals("b", waiting.get(20, TimeUnit.SECONDS).sha256());
    }

    @Test
    void unknownVersionTimesOutNamingJobAndVersion() {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        d.announce("job", 1, "k", "cafe");
        SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                () -> d.await("job", 2, "k", Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("job job version 2"), e.getMessage());
    }

    @Test
    void requestNamingAnotherObjectThanAnnouncedIsRejected() {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        d.announce("job", 1, "jobs/job/models/1.npz", "cafe");
        SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                () -> d.await("job", 1, "elsewhere.npz", Duration.ofMillis(10)));
        assertTrue(e.getMessage().contains("elsewhere.npz") && e.getMessage().contains("jobs/job/models/1.npz"));
    }

    @Test
    void oldestAnnouncementsAreForgottenBeyondCapacity() throws Exception {
        SnapshotDigests d = new SnapshotDigests(2, 2);
        d.announce("job", 1, "k1", "a");
        d.announce("job", 2, "k2", "b");
        d.announce("job", 3, "k3", "c");
        assertEquals(2, d.size());
        assertThrows(SnapshotRejectedException.class, () -> d.await("job", 1, "k1", Duration.ofMillis(1)));
        assertEquals("c", d.await("job", 3, "k3", Duration.ofMillis(1)).sha256());
    }

    @Test
    void onlyTheNewestInlineSnapshotsKeepTheirBytes() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 2);
        d.announce("job", 1, "k1", "a", new byte[]{1});
        d.announce("job", 2, "k2", "b", new byte[]{2});
        d.announce("job", 3, "k3", "c", new byte[]{3});
        assertEquals(2, d.inlineSize());
        // version 1 is still known (digest), but its bytes are gone: the worker reads it from S3
        SnapshotRef first = d.await("job", 1, "k1", Duration.ofMillis(1));
        assertEquals("a", first.sha256());
        assertNull(first.npz());
        assertArrayEquals(new byte[]{3}, d.await("job", 3, "k3", Duration.ofMillis(1)).npz());
        // announced again without bytes (e.g. re-announced after a resume): the old bytes are not reused
        d.announce("job", 3, "k3", "c2");
        assertNull(d.await("job", 3, "k3", Duration.ofMillis(1)).npz());
        assertEquals(1, d.inlineSize());
    }

    @Test
    void impossibleCapacitiesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotDigests(10, -1));
        assertTrue(e.getMessage().contains("ham.attack.inline-snapshots"), e.getMessage());
    }
}
