package org.hamkafka.trainer.storage;

import org.hamkafka.trainer.job.JobFailure;
import org.hamkafka.trainer.job.JobServices;

import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobRepository;
import org.jboss.logging.Logger;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model snapshots of one job that the attack workers read: exported once per version, announced on
 * {@code ham.models} (inside the announcement when small enough, with the S3 copy written behind the step by
 * {@link OrderedWrites}; else uploaded first), announced again without the bytes after a resume or before a
 * resend, and deleted from S3 once nothing needs them ({@link StoredSnapshots#oldestNeeded}).
 */
public final class SnapshotPublisher {
    private static final Logger LOG = Logger.getLogger(SnapshotPublisher.class);
    private static final Pattern SNAPSHOT_VERSION = Pattern.compile(".*/snapshots/(\\d+)\\.npz");
    private static final String NPZ = "application/octet-stream";

    private final String jobId;
    private final TrainConfig cfg;
    private final Classifier f;
    private final OrderedWrites writes;
    private final TrainerMessaging messaging;
    private final ObjectStore store;
    private final JobRepository jobs;
    private final int inlineSnapshotBytes;
    private final StoredSnapshots stored = new StoredSnapshots();

    public SnapshotPublisher(String jobId, TrainConfig cfg, Classifier f, OrderedWrites writes, JobServices services) {
        this.jobId = jobId;
        this.cfg = cfg;
        this.f = f;
        this.writes = writes;
        this.messaging = services.messaging();
        this.store = services.store();
        this.jobs = services.jobs();
        this.inlineSnapshotBytes = services.settings().inlineSnapshotBytes();
    }

    /** A resumed run: the snapshots the earlier run left in S3 are this run's too. */
    public void findStored() {
        for (String key : store.list("jobs/" + jobId + "/snapshots/")) {
            Matcher m = SNAPSHOT_VERSION.matcher(key);
            if (m.matches()) {
                stored.add(Long.parseLong(m.group(1)), null);
            }
        }
    }

    /**
     * The key of snapshot {@code v}: uploaded and announced on ham.models the first time, from the current
     * weights ({@code v == currentVersion}); an older version must be stored already.
     */
    public String ensure(long v, long currentVersion) {
        String key = ObjectStore.Keys.snapshot(jobId, v);
        if (stored.contains(v)) {
            return key;
        }
        if (v != currentVersion) {
            // an older version that is no longer stored cannot be rebuilt, and attacking other weights would make
            // the run differ from the in-process one: the job fails, naming the missing snapshot
            throw new JobFailure("snapshot " + key + " of model version " + v + " is missing from S3; the in-flight "
                    + "batches of the resume state need it");
        }
        long t0 = System.nanoTime();
        byte[] npz = ModelWeights.exportNpz(f);
        long t1 = System.nanoTime();
        boolean inline = npz.length <= inlineSnapshotBytes;
        String sha;
        if (inline) {
            // the workers take the bytes from the announcement; the S3 copy is for resume and for a worker
            // that no longer holds them, so it is written behind the step
            sha = ObjectStore.sha256(npz);
            messaging.publishSnapshot(new ModelSnapshot(SchemaVersion.BINARY, jobId, v, key, sha, cfg.model(),
                    cfg.dataset(), npz));
            writes.submit("uploading snapshot " + key, () -> {
                store.put(key, npz, NPZ);
                jobs.recordSnapshot(jobId, key);
            });
        } else {
            sha = store.put(key, npz, NPZ); // put returns the sha256: not hashed twice
            jobs.recordSnapshot(jobId, key);
            messaging.publishSnapshot(new ModelSnapshot(SchemaVersion.BINARY, jobId, v, key, sha, cfg.model(),
                    cfg.dataset()));
        }
        stored.add(v, sha);
        LOG.debugf("job %s snapshot %d: export %.1f ms, %s %.1f ms (%d bytes)", jobId, v, (t1 - t0) / 1e6,
                inline ? "announced inline" : "S3 put, job row, announced", (System.nanoTime() - t1) / 1e6, npz.length);
        return key;
    }

    /** Announces stored snapshots again, without their bytes (after a resume, or before a resend). */
    public void announceAgain(long[] versions) {
        for (long v : versions) {
            String key = ObjectStore.Keys.snapshot(jobId, v);
            String sha = stored.sha(v);
            if (sha == null) {
                if (!stored.contains(v)) {
                    continue; // not stored: ensure fails naming it when a batch needs it
                }
                sha = ObjectStore.sha256(store.get(key));
                stored.add(v, sha);
            }
            messaging.publishSnapshot(new ModelSnapshot(SchemaVersion.BINARY, jobId, v, key, sha, cfg.model(),
                    cfg.dataset()));
        }
    }

    /**
     * Before a request for version {@code v} goes out again: the worker that gets it may have started after the
     * announcement's bytes (or the announcement) left ham.models, so the S3 copy must be there and the version
     * announced again, without the bytes.
     */
    public void announceBeforeResend(long v) {
        writes.await();
        announceAgain(new long[]{v});
    }

    /** Deletes snapshots older than anything in flight, the resume state and the current weights need. */
    public void collect(long currentVersion, long stateMinVersion, long[] inFlightVersions) {
        long needed = StoredSnapshots.oldestNeeded(currentVersion, stateMinVersion, inFlightVersions);
        for (long v : stored.removeOlderThan(needed)) {
            String key = ObjectStore.Keys.snapshot(jobId, v);
            writes.submit("deleting " + key, () -> deleteQuietly(store, jobId, key)); // after its upload, in order
        }
    }

    /** Deletes {@code key}; a failure is only logged (an object left behind costs space, not correctness). */
    static void deleteQuietly(ObjectStore store, String jobId, String key) {
        try {
            store.delete(key);
        } catch (RuntimeException e) {
            LOG.warnf("job %s: could not delete %s: %s", jobId, key, e.getMessage());
        }
    }
}
