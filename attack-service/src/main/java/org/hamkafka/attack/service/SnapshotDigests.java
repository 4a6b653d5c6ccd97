package org.hamkafka.attack.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model snapshots announced on {@code ham.models}: for (job, version) the object key and the
 * sha256 the downloaded bytes must have, and the bytes themselves when they came inline. Attack
 * requests name the version but not the digest, and the announcement travels on another topic, so a
 * request may arrive first: {@link #await} waits for it. Bounded: the oldest announcements are
 * forgotten first, and only the newest {@code inline-snapshots} keep their bytes (the rest are read
 * from S3).
 */
@ApplicationScoped
public class SnapshotDigests {
    record Key(String jobId, long version) {
    }

    record Announced(String objectKey, String sha256) {
    }

    private final LinkedHashMap<Key, Announced> known;
    private final LinkedHashMap<Key, byte[]> inline;

    @Inject
    public SnapshotDigests(WorkerSettings settings) {
        this(settings.knownSnapshots(), settings.inlineSnapshots());
    }

    public SnapshotDigests(int capacity, int inlineCapacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ham.attack.known-snapshots must be >= 1; got " + capacity);
        }
        if (inlineCapacity < 0) {
            throw new IllegalArgumentException("ham.attack.inline-snapshots must be >= 0; got " + inlineCapacity);
        }
        this.known = bounded(capacity);
        this.inline = bounded(inlineCapacity);
    }

    private static <V> LinkedHashMap<Key, V> bounded(int capacity) {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, V> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void announce(String jobId, long version, String objectKey, String sha256) {
        announce(jobId, version, objectKey, sha256, null);
    }

    /** Remembers an announcement; {@code npz} (may be null) is the snapshot's bytes if they came with it. */
    public synchronized void announce(String jobId, long version, String objectKey, String sha256, byte[] npz) {
        Key key = new Key(jobId, version);
        known.put(key, new Announced(objectKey, sha256));
        if (npz != null) {
            inline.put(key, npz);
        } else {
            inline.remove(key); // announced again without bytes: do not pair old bytes with a new digest
        }
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
        return new SnapshotRef(jobId, version, objectKey, a.sha256(), inline.get(key));
    }

    public synchronized int size() {
        return known.size();
    }

    /** Number of announcements whose bytes are held now. */
    public synchronized int inlineSize() {
        return inline.size();
    }
}
