package org.hamkafka.attack.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotDigestsTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void announcedVersionResolvesAtOnceToItsDigest() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        d.announce("job", 3, "jobs/job/models/3.npz", "ab12");
        CompletableFuture<SnapshotRef> ref = d.whenAnnounced("job", 3, "jobs/job/models/3.npz", LONG, LONG);
        assertTrue(ref.isDone(), "nothing to wait for");
        assertEquals(new SnapshotRef("job", 3, "jobs/job/models/3.npz", "ab12"), ref.get());
        assertEquals(0, d.parked());
    }

    @Test
    void requestArrivingBeforeTheAnnouncementIsParkedUntilIt() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        CompletableFuture<SnapshotRef> waiting = d.whenAnnounced("job", 1, "k", LONG, LONG);
        assertFalse(waiting.isDone(), "must wait while the version is unknown");
        assertEquals(1, d.parked());
        d.announce("job", 1, "k", "cafe", new byte[]{7});
        assertEquals("cafe", waiting.get(5, TimeUnit.SECONDS).sha256());
        assertArrayEquals(new byte[]{7}, waiting.get().npz(), "the announcement's bytes reach the parked request");
        assertEquals(0, d.parked());
    }

    @Test
    void aJobNeverAnnouncedWaitsOnlyTheShortWaitAKnownJobTheFullOne() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        // an unknown job: rejected after the short wait, not the minute-long one
        String why = refusal(d.whenAnnounced("nobody", 1, "k", LONG, Duration.ofMillis(50)), 20);
        assertTrue(why.contains("unknown job nobody") && why.contains("ham.attack.unknown-job-wait"), why);
        assertEquals(0, d.parked(), "a request that timed out leaves the parking");
        // a known job whose next version is announced late still gets it (the short wait would have failed)
        d.announce("job", 1, "k1", "a");
        CompletableFuture<SnapshotRef> waiting = d.whenAnnounced("job", 2, "k2", LONG, Duration.ofMillis(50));
        Thread.sleep(300);
        assertFalse(waiting.isDone(), "a known job waits past the unknown-job wait");
        d.announce("job", 2, "k2", "b");
        assertEquals("b", waiting.get(20, TimeUnit.SECONDS).sha256());
    }

    @Test
    void unknownVersionTimesOutNamingJobAndVersion() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        d.announce("job", 1, "k", "cafe");
        String why = refusal(d.whenAnnounced("job", 2, "k", Duration.ofMillis(50), LONG), 20);
        assertTrue(why.contains("job job version 2") && why.contains("ham.attack.snapshot-wait"), why);
    }

    @Test
    void requestNamingAnotherObjectThanAnnouncedIsRejectedParkedOrNot() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        CompletableFuture<SnapshotRef> parked = d.whenAnnounced("job", 1, "elsewhere.npz", LONG, LONG);
        d.announce("job", 1, "jobs/job/models/1.npz", "cafe");
        for (CompletableFuture<SnapshotRef> ref : java.util.List.of(parked,
                d.whenAnnounced("job", 1, "elsewhere.npz", LONG, LONG))) {
            String why = refusal(ref, 5);
            assertTrue(why.contains("elsewhere.npz") && why.contains("jobs/job/models/1.npz"), why);
        }
    }

    @Test
    void theParkingIsBoundedAndAFullParkingRefusesAtOnceNamingTheSetting() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4, 2);
        CompletableFuture<SnapshotRef> a = d.whenAnnounced("job", 1, "k1", LONG, LONG);
        CompletableFuture<SnapshotRef> b = d.whenAnnounced("job", 2, "k2", LONG, LONG);
        CompletableFuture<SnapshotRef> c = d.whenAnnounced("job", 3, "k3", LONG, LONG);
        assertTrue(c.isDone(), "the third is refused at once, not parked");
        assertTrue(refusal(c, 1).contains("ham.attack.parked-requests"), refusal(c, 1));
        assertEquals(2, d.parked());
        d.announce("job", 1, "k1", "x");
        assertEquals("x", a.get(5, TimeUnit.SECONDS).sha256());
        assertFalse(b.isDone());
        assertFalse(d.whenAnnounced("job", 3, "k3", LONG, LONG).isDone(), "room again after one was answered");
    }

    @Test
    void aJobThatEndedRefusesItsParkedAndLaterRequestsAtOnceAndFreesItsBytes() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 4);
        d.announce("job", 1, "k1", "a", new byte[]{1});
        d.announce("other", 1, "o1", "b", new byte[]{2});
        CompletableFuture<SnapshotRef> parked = d.whenAnnounced("job", 2, "k2", LONG, LONG);
        d.ended("job", "COMPLETED");
        String why = refusal(parked, 5);
        assertTrue(why.contains("job job has ended (COMPLETED"), why);
        CompletableFuture<SnapshotRef> later = d.whenAnnounced("job", 1, "k1", LONG, LONG);
        assertTrue(later.isDone(), "refused at once, even for an announced version");
        assertTrue(refusal(later, 1).contains("has ended"));
        assertEquals(1, d.inlineSize(), "the ended job's bytes are freed, the other job's kept");
        assertEquals("b", d.whenAnnounced("other", 1, "o1", LONG, LONG).get().sha256());
        assertEquals(0, d.parked());
    }

    @Test
    void oldestAnnouncementsAreForgottenBeyondCapacity() throws Exception {
        SnapshotDigests d = new SnapshotDigests(2, 2);
        d.announce("job", 1, "k1", "a");
        d.announce("job", 2, "k2", "b");
        d.announce("job", 3, "k3", "c");
        assertEquals(2, d.size());
        assertFalse(d.whenAnnounced("job", 1, "k1", LONG, LONG).isDone(), "forgotten: waits for a new announcement");
        assertEquals("c", d.whenAnnounced("job", 3, "k3", LONG, LONG).get().sha256());
    }

    @Test
    void onlyTheNewestInlineSnapshotsKeepTheirBytes() throws Exception {
        SnapshotDigests d = new SnapshotDigests(10, 2);
        d.announce("job", 1, "k1", "a", new byte[]{1});
        d.announce("job", 2, "k2", "b", new byte[]{2});
        d.announce("job", 3, "k3", "c", new byte[]{3});
        assertEquals(2, d.inlineSize());
        // version 1 is still known (digest), but its bytes are gone: the worker reads it from S3
        SnapshotRef first = d.whenAnnounced("job", 1, "k1", LONG, LONG).get();
        assertEquals("a", first.sha256());
        assertNull(first.npz());
        assertArrayEquals(new byte[]{3}, d.whenAnnounced("job", 3, "k3", LONG, LONG).get().npz());
        // announced again without bytes (e.g. re-announced after a resume): the old bytes are not reused
        d.announce("job", 3, "k3", "c2");
        assertNull(d.whenAnnounced("job", 3, "k3", LONG, LONG).get().npz());
        assertEquals(1, d.inlineSize());
    }

    @Test
    void impossibleCapacitiesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotDigests(10, -1));
        assertTrue(e.getMessage().contains("ham.attack.inline-snapshots"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SnapshotDigests(10, 1, -1));
        assertTrue(e.getMessage().contains("ham.attack.parked-requests"), e.getMessage());
    }

    /** The reason {@code ref} was refused with (it must be refused within {@code seconds}). */
    static String refusal(CompletableFuture<SnapshotRef> ref, int seconds) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> ref.get(seconds, TimeUnit.SECONDS));
        assertInstanceOf(SnapshotRejectedException.class, e.getCause());
        return e.getCause().getMessage();
    }
}
