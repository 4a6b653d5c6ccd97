package org.hamkafka.trainer.storage;

import org.hamkafka.trainer.job.JobFailure;
import org.hamkafka.trainer.job.JobServices;
import org.hamkafka.trainer.job.TrainerSettings;

import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.service.S3Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher's clean-up on a resumed job: the snapshots found in S3 are deleted, in order and behind the
 * steps, once older than what the current weights, the resume state and the batches in flight need.
 */
class SnapshotPublisherTest {
    private final List<String> deleted = new CopyOnWriteArrayList<>();
    private final OrderedWrites writes = new OrderedWrites("j");

    @AfterEach
    void close() {
        writes.close();
    }

    @Test
    void deletesWhatNothingNeedsOldestFirst() {
        SnapshotPublisher p = publisher("jobs/j/snapshots/1.npz", "jobs/j/snapshots/2.npz", "jobs/j/snapshots/3.npz",
                "jobs/j/snapshots/4.npz", "jobs/j/snapshots/5.npz", "jobs/j/snapshots/notes.txt");
        p.findStored();

        // current weights 5, the resume state names 3, a batch in flight was attacked with 4
        p.collect(5, 3, new long[]{4});
        writes.await();
        assertEquals(List.of("jobs/j/snapshots/1.npz", "jobs/j/snapshots/2.npz"), deleted);

        // a batch in flight older than the state keeps its snapshot
        p.collect(6, 5, new long[]{3});
        writes.await();
        assertEquals(2, deleted.size(), "3 is still in flight: " + deleted);

        p.collect(6, 5, new long[0]);
        writes.await();
        assertEquals(List.of("jobs/j/snapshots/1.npz", "jobs/j/snapshots/2.npz", "jobs/j/snapshots/3.npz",
                "jobs/j/snapshots/4.npz"), deleted);
    }

    @Test
    void aStoredVersionIsReusedAndADeletedOneCannotBeRebuilt() {
        SnapshotPublisher p = publisher("jobs/j/snapshots/4.npz", "jobs/j/snapshots/5.npz");
        p.findStored();
        // stored: the key at once, without exporting the (here absent) model
        assertEquals("jobs/j/snapshots/4.npz", p.ensure(4, 6));
        p.collect(6, 5, new long[0]);
        writes.await();
        JobFailure e = assertThrows(JobFailure.class, () -> p.ensure(4, 6));
        assertTrue(e.getMessage().contains("snapshot jobs/j/snapshots/4.npz of model version 4 is missing"),
                e.getMessage());
    }

    private SnapshotPublisher publisher(String... keys) {
        ObjectStore store = new ObjectStore(new S3("http://127.0.0.1:1")) {
            @Override
            public List<String> list(String prefix) {
                return List.of(keys).stream().filter(k -> k.startsWith(prefix)).toList();
            }

            @Override
            public void delete(String key) {
                deleted.add(key);
            }
        };
        JobServices services = new JobServices(null, store, null, null, new Settings(), null, null);
        return new SnapshotPublisher("j", TrainConfig.defaults("fashion-mnist"), null, writes, services);
    }

    private record S3(String endpoint) implements S3Config {
        public String accessKey() {
            return "a";
        }

        public String secretKey() {
            return "s";
        }

        public String bucket() {
            return "ham";
        }

        public String region() {
            return "us-east-1";
        }
    }

    private static final class Settings implements TrainerSettings {
        public String device() {
            return "cpu";
        }

        public int maxConcurrentJobs() {
            return 1;
        }

        public Duration attackTimeout() {
            return Duration.ofSeconds(1);
        }

        public int attackAttempts() {
            return 1;
        }

        public int stateEverySteps() {
            return 2;
        }

        public int inlineSnapshotBytes() {
            return 0;
        }

        public boolean resumeOnStart() {
            return false;
        }

        public long maxEvalRows() {
            return Long.MAX_VALUE;
        }
    }
}
