package org.hamkafka.attack.service;

import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.service.ObjectNotReadableException;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Loaded model snapshots by (job, version), least recently used evicted first. Every snapshot is
 * checked against the sha256 its request names before it is loaded; a cached one is reused only when
 * the request names the same object and digest. A model is used by one thread at a time (an attack
 * switches its parameter gradients off and on), so each entry carries a lock.
 *
 * <p>With one batch in flight every step brings a new version, so building a model per version would be
 * paid on every step: an evicted model is kept as the spare of its (arch, dataset) instead of closed,
 * and the next snapshot of that shape is imported into it ({@link ModelWeights#importNpz} checks every
 * parameter before it writes any, and writes all of them).
 */
@ApplicationScoped
public class SnapshotCache {
    private static final Logger LOG = Logger.getLogger(SnapshotCache.class);

    record Key(String jobId, long version) {
    }

    static final class Entry {
        final Classifier model;
        final String objectKey;
        final String sha256;
        final ReentrantLock lock = new ReentrantLock();

        Entry(Classifier model, String objectKey, String sha256) {
            this.model = model;
            this.objectKey = objectKey;
            this.sha256 = sha256;
        }
    }

    private final ObjectStore store;
    private final int capacity;
    private final Device device;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** One idle model per (arch, dataset), to import the next snapshot into. */
    private final Map<String, Classifier> spares = new HashMap<>();
    private final io.micrometer.core.instrument.Counter hits;
    private final io.micrometer.core.instrument.Counter misses;

    public SnapshotCache(ObjectStore store, WorkerSettings settings, AttackDevice device, MeterRegistry registry) {
        if (settings.snapshotCacheSize() < 1) {
            throw new IllegalArgumentException("ham.attack.snapshot-cache-size must be >= 1; got "
                    + settings.snapshotCacheSize());
        }
        this.store = store;
        this.capacity = settings.snapshotCacheSize();
        this.device = device.device();
        this.hits = registry.counter("ham.attack.snapshot.cache", "result", "hit");
        this.misses = registry.counter("ham.attack.snapshot.cache", "result", "miss");
    }

    /**
     * Runs {@code body} with the snapshot's model, loading and verifying it first when it is not cached.
     *
     * @throws SnapshotRejectedException the object is missing, its sha256 differs, or it is not weights of arch
     */
    public <T> T withModel(SnapshotRef ref, String arch, DatasetInfo info, Function<Classifier, T> body) {
        Entry entry = acquire(ref, arch, info);
        try {
            return body.apply(entry.model);
        } finally {
            entry.lock.unlock();
        }
    }

    /** Number of snapshots loaded now. */
    public synchronized int size() {
        return entries.size();
    }

    private Entry acquire(SnapshotRef ref, String arch, DatasetInfo info) {
        Key key = new Key(ref.jobId(), ref.version());
        while (true) {
            Entry entry;
            Entry stale = null;
            synchronized (this) {
                entry = entries.get(key);
                if (entry != null && !matches(entry, ref, arch, info)) {
                    // same (job, version) announced with another object or digest: trust the request, reload
                    entries.remove(key);
                    stale = entry;
                    entry = null;
                }
            }
            if (stale != null) {
                closeLater(stale); // outside the monitor: its user may need the monitor to finish
            }
            if (entry == null) {
                misses.increment();
                Entry loaded = load(ref, arch, info);
                loaded.lock.lock();
                List<Entry> evicted = new ArrayList<>();
                synchronized (this) {
                    Entry raced = entries.put(key, loaded);
                    if (raced != null) {
                        evicted.add(raced);
                    }
                    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
                    while (entries.size() > capacity && it.hasNext()) {
                        Map.Entry<Key, Entry> eldest = it.next();
                        if (eldest.getValue() != loaded) {
                            evicted.add(eldest.getValue());
                            it.remove();
                        }
                    }
                }
                evicted.forEach(this::closeLater);
                return loaded;
            }
            entry.lock.lock();
            synchronized (this) {
                if (entries.get(key) == entry) {
                    hits.increment();
                    return entry;
                }
            }
            // evicted while we waited for it: its model is closed or closing, look again
            entry.lock.unlock();
        }
    }

    private static boolean matches(Entry e, SnapshotRef ref, String arch, DatasetInfo info) {
        return e.objectKey.equals(ref.objectKey()) && e.sha256.equalsIgnoreCase(ref.sha256())
                && e.model.arch().equals(arch) && e.model.info().name().equals(info.name());
    }

    private Entry load(SnapshotRef ref, String arch, DatasetInfo info) {
        boolean inline = ref.npz() != null;
        byte[] bytes;
        if (inline) {
            bytes = ref.npz();
        } else {
            try {
                bytes = store.get(ref.objectKey());
            } catch (ObjectNotReadableException e) {
                throw new SnapshotRejectedException("model snapshot of job " + ref.jobId() + " version "
                        + ref.version() + " cannot be fetched: " + e.getMessage(), e);
            }
        }
        String actual = ObjectStore.sha256(bytes);
        if (!actual.equalsIgnoreCase(ref.sha256())) {
            throw new SnapshotRejectedException("model snapshot " + ref.objectKey() + (inline ? " (sent inline)" : "")
                    + " has sha256 " + actual + " but the request names " + ref.sha256()
                    + " (corrupt or replaced object)", null);
        }
        Classifier model = takeSpare(arch, info);
        boolean reused = model != null;
        if (model == null) {
            model = Classifier.create(arch, info, device, 0L);
        }
        try {
            ModelWeights.importNpz(model, new ByteArrayInputStream(bytes));
        } catch (Exception e) {
            model.close();
            throw new SnapshotRejectedException("model snapshot " + ref.objectKey() + " cannot be read as " + arch
                    + " weights for " + info.name() + ": " + e.getMessage(), e);
        }
        // once per step with one batch in flight: debug, not info
        LOG.debugf("loaded snapshot %s (job %s, version %d, %d bytes, %s) into a %s model on %s", ref.objectKey(),
                ref.jobId(), ref.version(), bytes.length, inline ? "inline" : "from S3", reused ? "reused" : "new",
                device);
        return new Entry(model, ref.objectKey(), actual);
    }

    private static String shape(String arch, DatasetInfo info) {
        return arch + "/" + info.name();
    }

    private synchronized Classifier takeSpare(String arch, DatasetInfo info) {
        return spares.remove(shape(arch, info));
    }

    /** Once an evicted model's current user (if any) is done: keeps it as its shape's spare, else closes it. */
    private void closeLater(Entry e) {
        e.lock.lock();
        try {
            String shape = shape(e.model.arch(), e.model.info());
            boolean kept;
            synchronized (this) {
                kept = spares.putIfAbsent(shape, e.model) == null;
            }
            if (!kept) {
                e.model.close();
            }
        } finally {
            e.lock.unlock();
        }
    }

    /** Number of idle models kept to load the next snapshot into. */
    public synchronized int spareCount() {
        return spares.size();
    }

    @PreDestroy
    void closeAll() {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(entries.values());
            entries.clear();
        }
        for (Entry e : all) {
            e.lock.lock();
            try {
                e.model.close();
            } finally {
                e.lock.unlock();
            }
        }
        List<Classifier> idle;
        synchronized (this) {
            idle = new ArrayList<>(spares.values());
            spares.clear();
        }
        idle.forEach(Classifier::close);
    }
}
