package org.hamkafka.attack.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The model snapshots announced on {@code ham.models}: for (job, version) the object key and the
 * sha256 the downloaded bytes must have, and the bytes themselves when they came inline. Attack
 * requests name the version but not the digest, and the announcement travels on another topic, so a
 * request may arrive first: {@link #whenAnnounced} parks it (a future, no thread held) until the announcement
 * comes, its wait runs out, or its job ends. Bounded: the oldest announcements are forgotten first, only the
 * newest {@code inline-snapshots} keep their bytes (the rest are read from S3), and at most
 * {@code parked-requests} requests wait at once.
 */
@ApplicationScoped
public class SnapshotDigests {
    record Key(String jobId, long version) {
    }

    record Announced(String objectKey, String sha256) {
    }

    /** A request waiting for the announcement of its version. */
    private record Parked(String objectKey, CompletableFuture<SnapshotRef> ref) {
    }

    private final LinkedHashMap<Key, Announced> known;
    private final LinkedHashMap<Key, byte[]> inline;
    /** Jobs with at least one announcement (bounded like the announcements). */
    private final LinkedHashMap<String, Boolean> jobs;
    /** Jobs whose trainer said they ended (COMPLETED, FAILED, CANCELLED), with that state. */
    private final LinkedHashMap<String, String> ended;
    private final Map<Key, List<Parked>> parked = new HashMap<>();
    private final int parkedCapacity;
    private int parkedCount;

    @Inject
    public SnapshotDigests(WorkerSettings settings) {
        this(settings.knownSnapshots(), settings.inlineSnapshots(), settings.parkedRequests());
    }

    public SnapshotDigests(int capacity, int inlineCapacity) {
        this(capacity, inlineCapacity, 64);
    }

    public SnapshotDigests(int capacity, int inlineCapacity, int parkedCapacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ham.attack.known-snapshots must be >= 1; got " + capacity);
        }
        if (inlineCapacity < 0) {
            throw new IllegalArgumentException("ham.attack.inline-snapshots must be >= 0; got " + inlineCapacity);
        }
        if (parkedCapacity < 0) {
            throw new IllegalArgumentException("ham.attack.parked-requests must be >= 0; got " + parkedCapacity);
        }
        this.known = bounded(capacity);
        this.inline = bounded(inlineCapacity);
        this.jobs = bounded(capacity);
        this.ended = bounded(capacity);
        this.parkedCapacity = parkedCapacity;
    }

    private static <K, V> LinkedHashMap<K, V> bounded(int capacity) {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    public void announce(String jobId, long version, String objectKey, String sha256) {
        announce(jobId, version, objectKey, sha256, null);
    }

    /**
     * Remembers an announcement; {@code npz} (may be null) is the snapshot's bytes if they came with it. The
     * requests parked for this version are answered (outside the lock: their callbacks may send to Kafka).
     */
    public void announce(String jobId, long version, String objectKey, String sha256, byte[] npz) {
        Key key = new Key(jobId, version);
        Announced a = new Announced(objectKey, sha256);
        List<Parked> waiting;
        byte[] held;
        synchronized (this) {
            known.put(key, a);
            jobs.put(jobId, Boolean.TRUE);
            if (npz != null) {
                inline.put(key, npz);
            } else {
                inline.remove(key); // announced again without bytes: do not pair old bytes with a new digest
            }
            waiting = unpark(key);
            held = inline.get(key);
        }
        for (Parked p : waiting) {
            try {
                p.ref().complete(resolve(key, a, p.objectKey(), held));
            } catch (SnapshotRejectedException e) {
                p.ref().completeExceptionally(e);
            }
        }
    }

    /**
     * Remembers that the trainer ended {@code jobId} ({@code state} from ham.training.progress): its parked
     * requests are rejected now, later ones at once (no trainer waits for them), and its inline bytes freed.
     */
    public void ended(String jobId, String state) {
        List<Parked> waiting = new ArrayList<>();
        synchronized (this) {
            ended.put(jobId, state);
            inline.keySet().removeIf(k -> k.jobId().equals(jobId));
            for (Key k : new ArrayList<>(parked.keySet())) {
                if (k.jobId().equals(jobId)) {
                    waiting.addAll(unpark(k));
                }
            }
        }
        waiting.forEach(p -> p.ref().completeExceptionally(endedJob(jobId, state)));
    }

    /**
     * The snapshot reference of (job, version): done at once when announced (or impossible), else parked until
     * the announcement comes. It fails (with a {@link SnapshotRejectedException} naming why) when the job has
     * ended, when {@code parked-requests} already wait, when the request names another object than announced,
     * or when no announcement comes within {@code timeout} — or within {@code unknownJobTimeout} for a job of
     * which no version was ever announced (a trainer that really runs the job announces before it sends).
     */
    public CompletableFuture<SnapshotRef> whenAnnounced(String jobId, long version, String objectKey,
                                                        Duration timeout, Duration unknownJobTimeout) {
        Key key = new Key(jobId, version);
        CompletableFuture<SnapshotRef> ref = new CompletableFuture<>();
        Duration limit;
        String why;
        synchronized (this) {
            String state = ended.get(jobId);
            if (state != null) {
                ref.completeExceptionally(endedJob(jobId, state));
                return ref;
            }
            Announced a = known.get(key);
            if (a != null) {
                try {
                    ref.complete(resolve(key, a, objectKey, inline.get(key)));
                } catch (SnapshotRejectedException e) {
                    ref.completeExceptionally(e);
                }
                return ref;
            }
            if (parkedCount >= parkedCapacity) {
                ref.completeExceptionally(new SnapshotRejectedException(parkedCount + " requests already wait for "
                        + "their ModelSnapshot (ham.attack.parked-requests); no announcement of job " + jobId
                        + " version " + version + " yet", null));
                return ref;
            }
            boolean jobKnown = jobs.containsKey(jobId);
            limit = jobKnown ? timeout : unknownJobTimeout;
            why = jobKnown
                    ? "no ModelSnapshot for job " + jobId + " version " + version + " was announced on ham.models "
                    + "within " + limit.toSeconds() + " s (ham.attack.snapshot-wait); its sha256 is unknown"
                    : "unknown job " + jobId + ": no ModelSnapshot of any version of it was announced on ham.models "
                    + "within " + limit.toMillis() + " ms (ham.attack.unknown-job-wait)";
            parked.computeIfAbsent(key, k -> new ArrayList<>()).add(new Parked(objectKey, ref));
            parkedCount++;
        }
        CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (unpark(key, ref)) {
                ref.completeExceptionally(new SnapshotRejectedException(why, null));
            }
        });
        return ref;
    }

    private static SnapshotRef resolve(Key key, Announced a, String objectKey, byte[] npz) {
        if (!a.objectKey().equals(objectKey)) {
            throw new SnapshotRejectedException("the request names model_key " + objectKey + " for job "
                    + key.jobId() + " version " + key.version() + " but ham.models announced " + a.objectKey(), null);
        }
        return new SnapshotRef(key.jobId(), key.version(), objectKey, a.sha256(), npz);
    }

    private static SnapshotRejectedException endedJob(String jobId, String state) {
        return new SnapshotRejectedException("job " + jobId + " has ended (" + state
                + " on ham.training.progress): no trainer waits for this request", null);
    }

    /** Every request parked for {@code key}, no longer parked. Caller holds the lock. */
    private List<Parked> unpark(Key key) {
        List<Parked> waiting = parked.remove(key);
        if (waiting == null) {
            return List.of();
        }
        parkedCount -= waiting.size();
        return waiting;
    }

    /** Unparks the one request {@code ref}; false if it was no longer parked (answered meanwhile). */
    private synchronized boolean unpark(Key key, CompletableFuture<SnapshotRef> ref) {
        List<Parked> waiting = parked.get(key);
        if (waiting == null || !waiting.removeIf(p -> p.ref() == ref)) {
            return false;
        }
        parkedCount--;
        if (waiting.isEmpty()) {
            parked.remove(key);
        }
        return true;
    }

    /** Requests parked now, waiting for their announcement. */
    public synchronized int parked() {
        return parkedCount;
    }

    public synchronized int size() {
        return known.size();
    }

    /** Number of announcements whose bytes are held now. */
    public synchronized int inlineSize() {
        return inline.size();
    }
}
