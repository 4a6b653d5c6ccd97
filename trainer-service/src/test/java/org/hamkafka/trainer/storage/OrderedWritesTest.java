package org.hamkafka.trainer.storage;

import org.hamkafka.trainer.job.JobFailure;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A job's background writes: in order, a failure stops the rest, and closing (a halt) drains the queue. */
class OrderedWritesTest {

    @Test
    void closeRunsTheWritesQueuedBehindOneStillRunning() throws InterruptedException {
        List<String> done = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        OrderedWrites w = new OrderedWrites("j");
        w.submit("snapshot upload", () -> {
            started.countDown();
            sleep(300);
            done.add("snapshot");
        });
        w.submit("resume state", () -> done.add("state"));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        w.close(); // while the first write runs: the state behind it must still be written
        assertEquals(List.of("snapshot", "state"), done);
    }

    @Test
    void aFailedWriteStopsTheOnesAfterItAndIsReported() {
        List<String> done = new CopyOnWriteArrayList<>();
        try (OrderedWrites w = new OrderedWrites("j")) {
            w.submit("uploading snapshot s", () -> {
                throw new IllegalStateException("S3 down");
            });
            w.submit("deleting s", () -> done.add("delete"));
            JobFailure f = assertThrows(JobFailure.class, w::await);
            assertEquals("uploading snapshot s failed: S3 down", f.getMessage());
            assertThrows(JobFailure.class, w::check);
        }
        assertEquals(List.of(), done, "a delete must never overtake the write that makes it safe");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
