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
    /** Jobs with at least one announcement (bounded like the announcements). */
    private final LinkedHashMap<String, Boolean> jobs;

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
        this.jobs = bounded(capacity);
    }

    private static <K, V> LinkedHashMap<K, V> bounded(int capacity) {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
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
        jobs.put(jobId, Boolean.TRUE);
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
    public SnapshotRef await(String jobId, long version, String objectKey, Duration timeout)
            throws InterruptedException {
        return await(jobId, version, objectKey, timeout, timeout);
    }

    /**
     * As {@link #await(String, long, String, Duration)}, but a request for a job of which no version was
     * ever announced waits only {@code unknownJobTimeout}: requests naming jobs that do not exist must not
     * hold the worker's one attack thread for the full wait each (a trainer that really runs the job
     * announces again before it resends).
     */
    public synchronized SnapshotRef await(String jobId, long version, String objectKey, Duration timeout,
                                          Duration unknownJobTimeout) throws InterruptedException {
        long start = System.nanoTime();
        Key key = new Key(jobId, version);
        Announced a;
        while ((a = known.get(key)) == null) {
            boolean jobKnown = jobs.containsKey(jobId);
            Duration limit = jobKnown ? timeout : unknownJobTimeout;
            long left = start + limit.toNanos() - System.nanoTime();
            if (left <= 0) {
                throw new SnapshotRejectedException(jobKnown
                        ? "no ModelSnapshot for job " + jobId + " version " + version + " was announced on ham.models "
                        + "within " + limit.toSeconds() + " s (ham.attack.snapshot-wait); its sha256 is unknown"
                        : "unknown job " + jobId + ": no ModelSnapshot of any version of it was announced on ham.models "
                        + "within " + limit.toMillis() + " ms (ham.attack.unknown-job-wait)", null);
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
