package org.hamkafka.trainer.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.ModelSnapshot;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.ShardStats;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.contracts.TrainingProgress;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.AttackOutput;
import org.hamkafka.core.train.AttackOutputs;
import org.hamkafka.core.train.LearningRateSchedule;
import org.hamkafka.core.train.Seeds;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.StepResult;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingMethod;
import org.hamkafka.core.train.TrainingRun;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.service.ObjectStore;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

/**
 * One training job, run on its own worker thread: the distributed form of ham-core's
 * {@link TrainingRun}. Same model from the seed, same batch plan ({@link Subsets#epochBatches}), same
 * step seed ({@link Seeds#step}), same learning rate; the attack half of every batch goes out as
 * {@code shards_per_batch} attack requests and comes back as attack results, gathered with
 * {@link AttackOutputs#gather}; the training half runs here with {@link TrainingMethod#train}.
 *
 * <p>Pipelining: the requests of {@code k = batches_in_flight} batches are out at once. At an epoch's
 * start batches 0..k-1 are sent with the current weights; after training batch b, batch b+k is sent
 * with the weights after b. So batch b is attacked with weights at most k-1 versions older than the
 * ones it trains (its "staleness"); k = 1 is exactly the in-process run.
 *
 * <p>Off the critical path: a snapshot small enough ({@code ham.trainer.inline-snapshot-bytes}) travels
 * inside its announcement, so the request can go out at once; its S3 copy, the resume states and the
 * deletes of old snapshots are written behind the steps by {@link OrderedWrites}, in order.
 */
final class JobExecution {
    private static final Logger LOG = Logger.getLogger(JobExecution.class);
    private static final Pattern SNAPSHOT_VERSION = Pattern.compile(".*/snapshots/(\\d+)\\.npz");

    private final JobServices services;
    private final RunHandle handle;
    private final JobRunner.JobStart job;
    private final TrainConfig cfg;
    private final TrainerMessaging messaging;
    private final ObjectStore store;
    private final TrainerMetrics metrics;

    private Classifier f;
    private SgdMomentum optimizer;
    private TrainingMethod method;
    private Dataset train;
    private DatasetSpec datasetSpec;
    private AttackSettings attackSettings;

    private long version;
    private long stepsDone;
    /** Snapshot versions stored in S3 that this job may still need. */
    private final TreeSet<Long> snapshots = new TreeSet<>();
    /** Smallest version the last stored resume state refers to. */
    private long stateMinVersion;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    /** sha256 of the snapshots in {@link #snapshots}, to announce one again without its bytes. */
    private final Map<Long, String> snapshotSha = new HashMap<>();
    private OrderedWrites writes;

    /** The requests of one batch, out at the same time. */
    private static final class InFlight {
        final int epoch;
        final int batch;
        final long step;
        final long attackVersion;
        final int[] rows;
        final int[] offsets;
        final List<AttackRequest> requests = new ArrayList<>();
        final List<CompletableFuture<AttackResult>> futures = new ArrayList<>();
        final long sentNanos = System.nanoTime();

        InFlight(int epoch, int batch, long step, long attackVersion, int[] rows, int[] offsets) {
            this.epoch = epoch;
            this.batch = batch;
            this.step = step;
            this.attackVersion = attackVersion;
            this.rows = rows;
            this.offsets = offsets;
        }
    }

    JobExecution(JobServices services, RunHandle handle, JobRunner.JobStart job, TrainConfig cfg) {
        this.services = services;
        this.handle = handle;
        this.job = job;
        this.cfg = cfg;
        this.messaging = services.messaging();
        this.store = services.store();
        this.metrics = services.metrics();
    }

    void run() {
        train = services.data().train(cfg);
        method = org.hamkafka.core.train.Methods.create(cfg);
        TrainingRun reference = new TrainingRun(cfg);
        // Classifier.create seeds DJL's global generator then initializes: two at once would mix
        synchronized (Classifier.class) {
            f = reference.newModel(train);
        }
        optimizer = new SgdMomentum(cfg.momentum(), cfg.weightDecay());
        writes = new OrderedWrites(job.id());
        try {
            runOn();
            writes.await(); // the job is done when its last state and snapshots are in S3
        } finally {
            writes.close();
            messaging.pending().abandon(job.id(), "job " + job.id() + " stopped");
            optimizer.clear();
            f.close();
        }
    }

    private void runOn() {
        DatasetInfo info = train.info();
        datasetSpec = new DatasetSpec(info.name(), info.channels(), info.height(), info.width(), info.numClasses(),
                info.classNames(), info.mean(), info.std());
        attackSettings = new AttackSettings(cfg.method(), cfg.eps(), cfg.alpha(), cfg.steps(), cfg.dropStep(),
                cfg.norm(), true, cfg.variationOnLogits(), cfg.tradesBeta(), cfg.fastAlpha(), cfg.warmupEpochs());
        int k = job.batchesInFlight();
        int batchesPerEpoch = Subsets.epochBatches(train.size(), cfg.batchSize(), cfg.seed(), 0).length;
        services.jobs().recordStart(job.id(), batchesPerEpoch);

        StateArchive.Position start = new StateArchive.Position(0, 0, 0, 0, new long[0]);
        if (job.resumeKey() != null) {
            start = StateArchive.read(store.get(job.resumeKey()), f, optimizer);
            for (String key : store.list("jobs/" + job.id() + "/snapshots/")) {
                Matcher m = SNAPSHOT_VERSION.matcher(key);
                if (m.matches()) {
                    snapshots.add(Long.parseLong(m.group(1)));
                }
            }
            // the versions the next requests name were announced by the earlier run, maybe long ago (workers
            // read only the last ham.attack.models-lookback): the in-flight ones and the current weights
            long[] resumed = LongStream.concat(Arrays.stream(start.pendingVersions()),
                    LongStream.of(start.modelVersion())).distinct().toArray();
            announceAgain(resumed);
            services.jobs().event(job.id(), "RESUMED", "from " + job.resumeKey() + " at epoch " + start.epoch() + " batch "
                    + start.batch() + " (" + start.stepsDone() + " steps done, model version " + start.modelVersion() + ")");
            LOG.infof("job %s resumes from %s at epoch %d batch %d", job.id(), job.resumeKey(), start.epoch(), start.batch());
        }
        version = start.modelVersion();
        stepsDone = start.stepsDone();
        stateMinVersion = minOr(start.pendingVersions(), version);

        LearningRateSchedule schedule = cfg.schedule();
        long lastStepEnd = System.nanoTime();
        for (int epoch = start.epoch(); epoch < cfg.epochs(); epoch++) {
            float lr = schedule.lr(epoch);
            int[][] plan = Subsets.epochBatches(train.size(), cfg.batchSize(), cfg.seed(), epoch);
            int first = epoch == start.epoch() ? start.batch() : 0;
            int next = first;
            if (epoch == start.epoch()) {
                // the batches that were in flight when the state was written keep their attack versions
                for (long v : start.pendingVersions()) {
                    if (next < plan.length) {
                        send(epoch, next, plan[next], v, plan.length);
                        next++;
                    }
                }
            }
            while (next < plan.length && next < first + k) {
                send(epoch, next, plan[next], version, plan.length);
                next++;
            }
            double lossSum = 0;
            int lossCount = 0;
            for (int b = first; b < plan.length; b++) {
                handle.checkActive();
                writes.check();
                InFlight fl = inFlight.removeFirst();
                if (fl.batch != b || fl.epoch != epoch) {
                    throw new IllegalStateException("pipeline out of order: expected epoch " + epoch + " batch " + b
                            + ", found " + fl.epoch + "/" + fl.batch);
                }
                long t0 = System.nanoTime();
                List<AttackResult> results = awaitAll(fl);
                long t1 = System.nanoTime();
                StepResult r = trainStep(fl, results, lr, epoch);
                long t2 = System.nanoTime();
                long staleness = version - fl.attackVersion;
                if (r.stepped()) {
                    version++;
                    lossSum += r.loss();
                    lossCount++;
                }
                stepsDone++;
                if (next < plan.length) {
                    send(epoch, next, plan[next], version, plan.length);
                    next++;
                }
                long now = System.nanoTime();
                // where a step's time goes: waiting for the attack half, the training half, snapshot + request
                LOG.debugf("job %s step %d: waited %.1f ms for attack results, trained %.1f ms, next snapshot and "
                        + "request %.1f ms", job.id(), fl.step, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (now - t2) / 1e6);
                double examplesPerSecond = r.examplesIn() / Math.max(1e-9, (now - lastStepEnd) / 1e9);
                lastStepEnd = now;
                double dropRate = r.examplesIn() == 0 ? 0 : 1.0 - (double) r.examplesTrained() / r.examplesIn();
                double meanLoss = lossCount == 0 ? 0 : lossSum / lossCount;
                boolean lastOfEpoch = b == plan.length - 1;
                services.jobs().recordStep(job.id(), epoch, b, stepsDone, version, lossCount == 0 ? null : meanLoss, dropRate,
                        examplesPerSecond, staleness);
                metrics.step(job.id(), r.examplesIn(), dropRate, examplesPerSecond, staleness, meanLoss);
                messaging.publishProgress(new TrainingProgress(SchemaVersion.CURRENT, job.id(), epoch, stepsDone,
                        meanLoss, dropRate, examplesPerSecond, staleness, lastOfEpoch ? "EPOCH_DONE" : "RUNNING",
                        Instant.now()));
                if (lastOfEpoch) {
                    endOfEpoch(epoch);
                } else if (stepsDone % services.settings().stateEverySteps() == 0) {
                    saveState(epoch, b + 1);
                }
                collectSnapshots();
            }
        }
    }

    // ------------------------------------------------------------------ attack requests and results

    /** Sends the shards of one batch, attacked with the weights of {@code attackVersion}. */
    private void send(int epoch, int batch, int[] rows, long attackVersion, int batchesPerEpoch) {
        handle.checkActive();
        String modelKey = ensureSnapshot(attackVersion);
        long step = (long) epoch * batchesPerEpoch + batch;
        int shards = Math.min(job.shardsPerBatch(), rows.length);
        int[] offsets = new int[shards];
        for (int s = 0; s < shards; s++) {
            offsets[s] = (int) ((long) s * rows.length / shards);
        }
        InFlight fl = new InFlight(epoch, batch, step, attackVersion, rows, offsets);
        long seed = Seeds.step(cfg.seed(), epoch, batch);
        DatasetInfo info = train.info();
        int per = info.pixelsPerImage();
        for (int s = 0; s < shards; s++) {
            int from = offsets[s];
            int to = s + 1 < shards ? offsets[s + 1] : rows.length;
            int n = to - from;
            float[] pixels = new float[n * per];
            long[] ids = new long[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int row = rows[from + i];
                System.arraycopy(train.image(row), 0, pixels, i * per, per);
                ids[i] = row;
                labels[i] = train.label(row);
            }
            AttackRequest req = new AttackRequest(SchemaVersion.CURRENT, job.id(), step, epoch, batch, s, shards, from,
                    attackVersion, modelKey, cfg.model(), datasetSpec, attackSettings, seed, ids,
                    Tensor.ofFloats(new long[]{n, info.channels(), info.height(), info.width()}, pixels),
                    Tensor.ofInts(new long[]{n}, labels));
            fl.requests.add(req);
            fl.futures.add(messaging.pending().expect(job.id(), step, s, attackVersion));
            messaging.sendAttackRequest(req);
        }
        inFlight.addLast(fl);
    }

    private List<AttackResult> awaitAll(InFlight fl) {
        List<AttackResult> out = new ArrayList<>(fl.futures.size());
        for (int s = 0; s < fl.futures.size(); s++) {
            out.add(await(fl, s));
            messaging.pending().remove(job.id(), fl.step, s);
        }
        metrics.attackWait(Duration.ofNanos(System.nanoTime() - fl.sentNanos));
        return out;
    }

    /** Waits for one shard; resends on a timeout or an error result, up to the configured attempts. */
    private AttackResult await(InFlight fl, int shard) {
        Duration timeout = services.settings().attackTimeout();
        int maxAttempts = Math.max(1, services.settings().attackAttempts());
        int attempts = 1;
        while (true) {
            handle.checkActive();
            AttackResult r;
            try {
                r = fl.futures.get(shard).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (attempts >= maxAttempts) {
                    throw new JobFailure("no attack result for step " + fl.step + " (epoch " + fl.epoch + ", batch "
                            + fl.batch + ") shard " + shard + "/" + fl.futures.size() + " after " + attempts
                            + " request(s), " + timeout.toSeconds() + " s each (ham.trainer.attack-timeout): "
                            + "are attack workers consuming ham.attack.requests?");
                }
                LOG.warnf("job %s: no attack result for step %d shard %d within %s; sending it again", job.id(),
                        fl.step, shard, timeout);
                resend(fl, shard, "timeout");
                attempts++;
                continue;
            } catch (CancellationException e) {
                handle.checkActive();
                throw e;
            } catch (ExecutionException e) {
                handle.checkActive();
                throw new JobFailure("waiting for attack results failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for attack results");
            }
            if (r.failed()) {
                if (attempts >= maxAttempts) {
                    throw new JobFailure("attack worker " + r.workerId() + " could not attack step " + fl.step
                            + " shard " + shard + " (" + attempts + " attempt(s)): " + r.error());
                }
                LOG.warnf("job %s: worker %s failed on step %d shard %d (%s); sending it again", job.id(),
                        r.workerId(), fl.step, shard, r.error());
                resend(fl, shard, "error");
                attempts++;
                continue;
            }
            check(fl, shard, r);
            return r;
        }
    }

    private void resend(InFlight fl, int shard, String reason) {
        metrics.resend(reason);
        // the worker that gets it may have started after the announcement's bytes (or the announcement) left
        // ham.models: make sure the S3 copy is there and announce the version again, without the bytes
        writes.await();
        announceAgain(new long[]{fl.attackVersion});
        AttackRequest req = fl.requests.get(shard);
        fl.futures.set(shard, messaging.pending().expect(job.id(), fl.step, shard, fl.attackVersion));
        messaging.sendAttackRequest(req);
    }

    private void check(InFlight fl, int shard, AttackResult r) {
        int rows = fl.requests.get(shard).rows();
        int prev = -1;
        for (int i : r.keptIndices()) {
            if (i <= prev || i >= rows) {
                throw new JobFailure("attack result for step " + fl.step + " shard " + shard + " from worker "
                        + r.workerId() + " has kept index " + i + " (must be ascending and < " + rows + ")");
            }
            prev = i;
        }
        if (r.shardCount() != fl.futures.size() || r.shardOffset() != fl.offsets[shard]) {
            throw new JobFailure("attack result for step " + fl.step + " shard " + shard + " says shard_count "
                    + r.shardCount() + " offset " + r.shardOffset() + ", expected " + fl.futures.size() + " / "
                    + fl.offsets[shard]);
        }
    }

    // ------------------------------------------------------------------ training half

    private StepResult trainStep(InFlight fl, List<AttackResult> results, float lr, int epoch) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = train.images(m, fl.rows);
            NDArray y = train.labels(m, fl.rows);
            List<AttackOutput> shards = new ArrayList<>(results.size());
            for (AttackResult r : results) {
                NDArray adv = r.adversarial() == null ? null
                        : m.create(r.adversarial().floats(), new Shape(r.adversarial().shape()));
                ShardStats s = r.stats();
                shards.add(new AttackOutput(adv, r.keptIndices(), r.variation(),
                        new AttackStats(s.examplesIn(), s.examplesKept(), s.forwardRows(), s.backwardRows(), s.millis())));
            }
            AttackOutput gathered = AttackOutputs.gather(shards, fl.offsets, m);
            synchronized (DjlLocks.GRADIENTS) {
                return method.train(f, optimizer, x, y, gathered, lr, epoch);
            }
        }
    }

    // ------------------------------------------------------------------ S3: snapshots, states, checkpoints

    /** Uploads the current weights as snapshot {@code v} (once) and announces it on ham.models. */
    private String ensureSnapshot(long v) {
        String key = ObjectStore.Keys.snapshot(job.id(), v);
        if (snapshots.contains(v)) {
            return key;
        }
        if (v != version) {
            // an older version that is no longer stored cannot be rebuilt: attack the current weights
            throw new JobFailure("snapshot " + key + " of model version " + v + " is missing from S3; the in-flight "
                    + "batches of the resume state need it");
        }
        long t0 = System.nanoTime();
        byte[] npz = ModelWeights.exportNpz(f);
        long t1 = System.nanoTime();
        boolean inline = npz.length <= services.settings().inlineSnapshotBytes();
        String sha;
        if (inline) {
            // the workers take the bytes from the announcement; the S3 copy is for resume and for a worker
            // that no longer holds them, so it is written behind the step
            sha = ObjectStore.sha256(npz);
            messaging.publishSnapshot(new ModelSnapshot(SchemaVersion.CURRENT, job.id(), v, key, sha, cfg.model(),
                    cfg.dataset(), npz));
            writes.submit("uploading snapshot " + key, () -> {
                store.put(key, npz, "application/octet-stream");
                services.jobs().recordSnapshot(job.id(), key);
            });
        } else {
            sha = store.put(key, npz, "application/octet-stream"); // put returns the sha256: not hashed twice
            services.jobs().recordSnapshot(job.id(), key);
            messaging.publishSnapshot(new ModelSnapshot(SchemaVersion.CURRENT, job.id(), v, key, sha, cfg.model(),
                    cfg.dataset()));
        }
        snapshots.add(v);
        snapshotSha.put(v, sha);
        LOG.debugf("job %s snapshot %d: export %.1f ms, %s %.1f ms (%d bytes)", job.id(), v, (t1 - t0) / 1e6,
                inline ? "announced inline" : "S3 put, job row, announced", (System.nanoTime() - t1) / 1e6, npz.length);
        return key;
    }

    /** Announces stored snapshots again, without their bytes (after a resume, or before a resend). */
    private void announceAgain(long[] versions) {
        for (long v : versions) {
            String key = ObjectStore.Keys.snapshot(job.id(), v);
            String sha = snapshotSha.get(v);
            if (sha == null) {
                if (!snapshots.contains(v)) {
                    continue; // not stored: ensureSnapshot fails naming it when a batch needs it
                }
                sha = ObjectStore.sha256(store.get(key));
                snapshotSha.put(v, sha);
            }
            messaging.publishSnapshot(new ModelSnapshot(SchemaVersion.CURRENT, job.id(), v, key, sha, cfg.model(),
                    cfg.dataset()));
        }
    }

    private void saveState(int nextEpoch, int nextBatch) {
        long[] pending = new long[inFlight.size()];
        int i = 0;
        for (InFlight fl : inFlight) {
            pending[i++] = fl.attackVersion;
        }
        StateArchive.Position p = new StateArchive.Position(nextEpoch, nextBatch, stepsDone, version, pending);
        String key = ObjectStore.Keys.resumeState(job.id(), stepsDone);
        byte[] state = StateArchive.write(f, optimizer, p);
        stateMinVersion = minOr(pending, version);
        // queued after the uploads of the snapshots it refers to, so a stored state never names a missing one
        writes.submit("writing resume state " + key, () -> {
            store.put(key, state, "application/octet-stream");
            String previous = services.jobs().recordState(job.id(), key, p.epoch(), p.batch(), p.stepsDone(),
                    p.modelVersion());
            if (previous != null && !previous.equals(key)) {
                deleteQuietly(previous);
            }
        });
    }

    private void endOfEpoch(int epoch) {
        // the announced checkpoint holds the weights only (ModelWeights.importNpz reads it as is);
        // the resume state written next to it holds weights + momentum + position
        byte[] npz = ModelWeights.exportNpz(f);
        String key = ObjectStore.Keys.checkpoint(job.id(), epoch + 1);
        String sha = store.put(key, npz, "application/octet-stream");
        saveState(epoch + 1, 0);
        services.jobs().recordCheckpoint(job.id(), epoch, key, sha);
        metrics.checkpoint();
        messaging.publishCheckpoint(new CheckpointAnnouncement(SchemaVersion.CURRENT, job.id(), epoch, key, sha,
                cfg.model(), cfg.dataset(), cfg.eps(), cfg.method(), Instant.now()));
    }

    /** Deletes snapshots older than anything in flight, the resume state and the current weights need. */
    private void collectSnapshots() {
        long needed = Math.min(version, stateMinVersion);
        for (InFlight fl : inFlight) {
            needed = Math.min(needed, fl.attackVersion);
        }
        while (!snapshots.isEmpty() && snapshots.first() < needed) {
            long v = snapshots.pollFirst();
            snapshotSha.remove(v);
            String key = ObjectStore.Keys.snapshot(job.id(), v);
            writes.submit("deleting " + key, () -> deleteQuietly(key)); // after its upload, in order
        }
    }

    private void deleteQuietly(String key) {
        try {
            store.delete(key);
        } catch (RuntimeException e) {
            LOG.warnf("job %s: could not delete %s: %s", job.id(), key, e.getMessage());
        }
    }

    private static long minOr(long[] values, long fallback) {
        long m = fallback;
        for (long v : values) {
            m = Math.min(m, v);
        }
        return m;
    }
}
