package org.hamkafka.attack.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model snapshots announced on {@code ham.models}: for (job, version) the object key and the
 * sha256 the downloaded bytes must have. Attack requests name the version but not the digest, and the
 * announcement travels on another topic, so a request may arrive first: {@link #await} waits for it.
 * Bounded: the oldest announcements are forgotten first.
 */
@ApplicationScoped
public class SnapshotDigests {
    record Key(String jobId, long version) {
    }

    record Announced(String objectKey, String sha256) {
    }

    private final int capacity;
    private final LinkedHashMap<Key, Announced> known;

    @Inject
    public SnapshotDigests(AttackSettings settings) {
        this(settings.knownSnapshots());
    }

    public SnapshotDigests(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ham.attack.known-snapshots must be >= 1; got " + capacity);
        }
        this.capacity = capacity;
        this.known = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Announced> eldest) {
                return size() > SnapshotDigests.this.capacity;
            }
        };
    }

    public synchronized void announce(String jobId, long version, String objectKey, String sha256) {
        known.put(new Key(jobId, version), new Announced(objectKey, sha256));
        notifyAll();
    }

    /**
     * The snapshot reference of (job, version) once announced.
     *
     * @throws SnapshotRejectedException not announced within {@code timeout}, or announced under another key
     */
    public synchronized SnapshotRef await(String jobId, long version, String objectKey, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Key key = new Key(jobId, version);
        Announced a;
        while ((a = known.get(key)) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SnapshotRejectedException("no ModelSnapshot for job " + jobId + " version " + version
                        + " was announced on ham.models within " + timeout.toSeconds()
                        + " s (ham.attack.snapshot-wait); its sha256 is unknown", null);
            }
            long ms = Math.max(1, left / 1_000_000);
            wait(ms);
        }
        if (!a.objectKey().equals(objectKey)) {
            throw new SnapshotRejectedException("the request names model_key " + objectKey + " for job " + jobId
                    + " version " + version + " but ham.models announced " + a.objectKey(), null);
        }
        return new SnapshotRef(jobId, version, objectKey, a.sha256());
    }

    public synchronized int size() {
        return known.size();
    }
}
