package org.hamkafka.trainer.run;

import org.hamkafka.trainer.job.JobFailure;
import org.hamkafka.trainer.job.JobServices;
import org.hamkafka.trainer.job.TrainerMetrics;
import org.hamkafka.trainer.storage.SnapshotPublisher;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.train.AttackHalf;
import org.hamkafka.core.train.AttackOutput;
import org.hamkafka.core.train.AttackOutputs;
import org.hamkafka.core.train.Position;
import org.hamkafka.core.train.Seeds;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.service.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The attack half of a job's steps, done by the attack workers: a batch goes out as {@code shards_per_batch}
 * attack requests on ham.attack.requests, and its results are awaited in the order the batches were sent,
 * each shard sent again on a time-out or an error result (up to {@code ham.trainer.attack-attempts}) and
 * checked against its request before the training half may use it; the shards' outputs are gathered with
 * {@link AttackOutputs#gather}.
 *
 * <p>Pipelining: the requests of {@code k = batches_in_flight} batches are out at once. At an epoch's
 * start batches 0..k-1 are sent with the current weights; after training batch b, batch b+k is sent
 * with the weights after b. So batch b is attacked with weights at most k-1 versions older than the
 * ones it trains (its "staleness"); k = 1 is exactly the in-process run. The batches in flight when a resume
 * state was written go out again with the versions it names.
 */
public final class RemoteAttack implements AttackHalf {
    private static final Logger LOG = Logger.getLogger(RemoteAttack.class);

    private final String jobId;
    private final int shardsPerBatch;
    private final TrainConfig cfg;
    private final Dataset train;
    private final RunHandle handle;
    private final SnapshotPublisher snapshots;
    private final TrainerMessaging messaging;
    private final TrainerMetrics metrics;
    private final Tracing tracing;
    private final Duration timeout;
    private final int maxAttempts;
    private final DatasetSpec datasetSpec;
    /** The settings this epoch's requests carry (a fairness rule's budgets change them epoch by epoch). */
    private AttackSettings attackSettings;
    private final Deque<InFlightBatch> inFlight = new ArrayDeque<>();
    /** The resume state's in-flight versions, until the first epoch has sent them again. */
    private long[] pending;
    private int[][] plan;
    private int next;
    /** The batch whose training half runs now (between {@link #attack} and {@link #stepped}) and its span. */
    private InFlightBatch training;
    private Span trainSpan = Span.getInvalid();
    /** The trace of the last step trained: an epoch's checkpoint is announced under it. */
    private Context lastStep = Context.root();

    RemoteAttack(JobRunner.JobStart job, TrainConfig cfg, Dataset train, RunHandle handle, SnapshotPublisher snapshots,
                 JobServices services, Position start) {
        this.pending = start.pendingVersions();
        this.jobId = job.id();
        this.shardsPerBatch = cfg.pipelining().shardsPerBatch();
        this.cfg = cfg;
        this.train = train;
        this.handle = handle;
        this.snapshots = snapshots;
        this.messaging = services.messaging();
        this.metrics = services.metrics();
        this.tracing = services.tracing();
        this.timeout = services.settings().attackTimeout();
        this.maxAttempts = Math.max(1, services.settings().attackAttempts());
        this.datasetSpec = ContractMapping.datasetSpec(train.info());
        this.attackSettings = ContractMapping.attackSettings(cfg);
    }

    /** Where each of {@code shards} shards of a batch of {@code rows} rows starts (at most one shard per row). */
    static int[] shardOffsets(int rows, int shards) {
        int n = Math.min(shards, rows);
        int[] offsets = new int[n];
        for (int s = 0; s < n; s++) {
            offsets[s] = (int) ((long) s * rows / n);
        }
        return offsets;
    }

    /**
     * At an epoch's start: the batches in flight in the resume state (with their versions), then up to
     * {@code batches_in_flight} from {@code first} with the current weights; every request of the epoch carries its
     * budgets.
     */
    @Override
    public void epochStart(int epoch, int[][] plan, int first, long version, List<Float> classEps) {
        this.plan = plan;
        this.attackSettings = ContractMapping.attackSettings(cfg, classEps);
        next = first;
        for (long v : pending) {
            if (next < plan.length) {
                send(epoch, next++, v, version);
            }
        }
        pending = new long[0];
        while (next < plan.length && next < first + cfg.pipelining().batchesInFlight()) {
            send(epoch, next++, version, version);
        }
    }

    /** Waits for the batch's results, checks them and gathers the shards' outputs in the batch's manager. */
    @Override
    public Attacked attack(Batch b) {
        handle.checkActive();
        InFlightBatch fl = next(b.epoch(), b.batch());
        List<AttackResult> results = tracing.span(Tracing.AWAIT_RESULTS, fl.trace(), () -> awaitAll(fl));
        List<AttackOutput> shards = new ArrayList<>(results.size());
        for (AttackResult r : results) {
            NDArray adv = r.adversarial() == null ? null
                    : b.m().create(r.adversarial().floats(), new Shape(r.adversarial().shape()));
            shards.add(new AttackOutput(adv, r.keptIndices(), r.variation(), ContractMapping.attackStats(r.stats())));
        }
        Attacked attacked = new Attacked(AttackOutputs.gather(shards, fl.offsets, b.m()), fl.attackVersion);
        training = fl;
        trainSpan = tracing.start(Tracing.TRAIN, fl.trace());
        return attacked;
    }

    /** After a step: the next batch of the epoch goes out, with the weights after it; the step's trace ends. */
    @Override
    public void stepped(int epoch, int batch, long version) {
        trainSpan.end();
        if (training != null) {
            training.span.end();
            lastStep = training.trace();
            training = null;
        }
        if (next < plan.length) {
            send(epoch, next++, version, version);
        }
    }

    /** The trace of the last step trained (the root context before one is). */
    public Context lastStep() {
        return lastStep;
    }

    private void send(int epoch, int batch, long attackVersion, long version) {
        handle.checkActive();
        send(epoch, batch, plan[batch], attackVersion, snapshots.ensure(attackVersion, version), plan.length);
    }

    /** Sends the shards of one batch, attacked with the weights of {@code attackVersion} (snapshot {@code modelKey}). */
    void send(int epoch, int batch, int[] rows, long attackVersion, String modelKey, int batchesPerEpoch) {
        long step = (long) epoch * batchesPerEpoch + batch;
        InFlightBatch fl = new InFlightBatch(epoch, batch, step, attackVersion, rows,
                shardOffsets(rows.length, shardsPerBatch));
        fl.span = tracing.builder(Tracing.STEP, Context.root()).setAttribute(Tracing.JOB, jobId)
                .setAttribute(Tracing.STEP_INDEX, step).setAttribute(Tracing.EPOCH, (long) epoch).startSpan();
        long seed = Seeds.step(cfg.data().seed(), epoch, batch);
        DatasetInfo info = train.info();
        int per = info.pixelsPerImage();
        for (int s = 0; s < fl.shards(); s++) {
            int from = fl.offsets[s];
            int n = fl.rowsOf(s);
            float[] pixels = new float[n * per];
            long[] ids = new long[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int row = rows[from + i];
                System.arraycopy(train.image(row), 0, pixels, i * per, per);
                ids[i] = row;
                labels[i] = train.label(row);
            }
            AttackRequest req = new AttackRequest(SchemaVersion.BINARY, jobId, step, epoch, batch, s, fl.shards(),
                    from, attackVersion, modelKey, cfg.model(), datasetSpec, attackSettings, seed, ids,
                    Tensor.ofFloats(new long[]{n, info.channels(), info.height(), info.width()}, pixels),
                    Tensor.ofInts(new long[]{n}, labels));
            fl.requests.add(req);
            fl.futures.add(messaging.pending().expect(jobId, step, s, attackVersion));
            messaging.sendAttackRequest(req, 1, fl.trace());
        }
        inFlight.addLast(fl);
    }

    /** The oldest batch in flight, which must be batch {@code batch} of {@code epoch}. */
    InFlightBatch next(int epoch, int batch) {
        InFlightBatch fl = inFlight.removeFirst();
        if (fl.batch != batch || fl.epoch != epoch) {
            throw new IllegalStateException("pipeline out of order: expected epoch " + epoch + " batch " + batch
                    + ", found " + fl.epoch + "/" + fl.batch);
        }
        return fl;
    }

    /** The model versions the batches still in flight were sent with, oldest batch first. */
    long[] inFlightVersions() {
        return inFlight.stream().mapToLong(fl -> fl.attackVersion).toArray();
    }

    /** The checked results of every shard of {@code fl}, in shard order. */
    List<AttackResult> awaitAll(InFlightBatch fl) {
        List<AttackResult> out = new ArrayList<>(fl.futures.size());
        for (int s = 0; s < fl.futures.size(); s++) {
            out.add(await(fl, s));
            messaging.pending().remove(jobId, fl.step, s);
        }
        metrics.attackWait(Duration.ofNanos(System.nanoTime() - fl.sentNanos));
        return out;
    }

    /** Waits for one shard; resends on a timeout or an error result, up to the configured attempts. */
    private AttackResult await(InFlightBatch fl, int shard) {
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
                LOG.warnf("job %s: no attack result for step %d shard %d within %s; sending it again", jobId,
                        fl.step, shard, timeout);
                attempts++;
                resend(fl, shard, "timeout", attempts);
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
                LOG.warnf("job %s: worker %s failed on step %d shard %d (%s); sending it again", jobId,
                        r.workerId(), fl.step, shard, r.error());
                attempts++;
                resend(fl, shard, "error", attempts);
                continue;
            }
            check(fl, shard, r);
            return r;
        }
    }

    private void resend(InFlightBatch fl, int shard, String reason, int attempt) {
        metrics.resend(reason);
        snapshots.announceBeforeResend(fl.attackVersion);
        AttackRequest req = fl.requests.get(shard);
        fl.futures.set(shard, messaging.pending().expect(jobId, fl.step, shard, fl.attackVersion));
        messaging.sendAttackRequest(req, attempt, fl.trace());
    }

    /** Fails the job unless {@code r} answers shard {@code shard} of {@code fl}: its kept rows ascending, inside it. */
    static void check(InFlightBatch fl, int shard, AttackResult r) {
        int rows = fl.rowsOf(shard);
        int prev = -1;
        for (int i : r.keptIndices()) {
            if (i <= prev || i >= rows) {
                throw new JobFailure("attack result for step " + fl.step + " shard " + shard + " from worker "
                        + r.workerId() + " has kept index " + i + " (must be ascending and < " + rows + ")");
            }
            prev = i;
        }
        if (r.shardCount() != fl.shards() || r.shardOffset() != fl.offsets[shard]) {
            throw new JobFailure("attack result for step " + fl.step + " shard " + shard + " says shard_count "
                    + r.shardCount() + " offset " + r.shardOffset() + ", expected " + fl.shards() + " / "
                    + fl.offsets[shard]);
        }
    }
}
