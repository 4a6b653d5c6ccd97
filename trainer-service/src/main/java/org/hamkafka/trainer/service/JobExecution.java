package org.hamkafka.trainer.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.GradientLock;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.AttackOutput;
import org.hamkafka.core.train.AttackOutputs;
import org.hamkafka.core.train.Seeds;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.StepResult;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingMethod;
import org.hamkafka.core.train.TrainingRun;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

/**
 * One training job, run on its own worker thread: the distributed form of ham-core's
 * {@link TrainingRun}. Same model from the seed, same batch plan ({@link Subsets#epochBatches}), same
 * step seed ({@link Seeds#step}), same learning rate; the attack half of every batch goes out as
 * {@code shards_per_batch} attack requests and comes back as attack results ({@link RemoteAttack}), gathered
 * with {@link AttackOutputs#gather}; the training half runs here with {@link TrainingMethod#train}. Progress,
 * checkpoints and resume states hang on {@link JobListener}s; the snapshots the workers attack are
 * {@link SnapshotPublisher}'s.
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

    private final JobServices services;
    private final RunHandle handle;
    private final JobRunner.JobStart job;
    private final TrainConfig cfg;

    private Classifier f;
    private SgdMomentum optimizer;
    private TrainingMethod method;
    private Dataset train;
    private OrderedWrites writes;
    private SnapshotPublisher snapshots;
    private RemoteAttack attack;
    private ResumeStates states;
    private List<JobListener> listeners;

    private long version;
    private long stepsDone;

    JobExecution(JobServices services, RunHandle handle, JobRunner.JobStart job, TrainConfig cfg) {
        this.services = services;
        this.handle = handle;
        this.job = job;
        this.cfg = cfg;
    }

    void run() {
        train = services.data().train(cfg);
        TrainingRun reference = new TrainingRun(cfg);
        method = reference.method(); // the in-process run's own method object: one construction per job
        // Classifier.create seeds DJL's global generator then initializes: two at once would mix
        synchronized (Classifier.class) {
            f = reference.newModel(train);
        }
        optimizer = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
        writes = new OrderedWrites(job.id());
        try {
            snapshots = new SnapshotPublisher(job.id(), cfg, f, writes, services);
            attack = new RemoteAttack(job, cfg, train, handle, snapshots, services);
            runOn();
            writes.await(); // the job is done when its last state and snapshots are in S3
        } finally {
            writes.close();
            services.messaging().pending().abandon(job.id(), "job " + job.id() + " stopped");
            optimizer.clear();
            f.close();
        }
    }

    private void runOn() {
        int batchesPerEpoch = Subsets.epochBatches(train.size(), cfg.optimisation().batchSize(), cfg.data().seed(), 0).length;
        services.jobs().recordStart(job.id(), batchesPerEpoch);
        StateArchive.Position start = job.resumeKey() == null
                ? new StateArchive.Position(0, 0, 0, 0, new long[0]) : resume();
        version = start.modelVersion();
        stepsDone = start.stepsDone();
        states = new ResumeStates(job.id(), f, optimizer, attack::inFlightVersions, writes, services,
                StoredSnapshots.min(start.pendingVersions(), version));
        listeners = List.of(new ProgressReporter(job.id(), services),
                new EpochCheckpoints(job.id(), cfg, f, services), states);
        for (int epoch = start.epoch(); epoch < cfg.optimisation().epochs(); epoch++) {
            boolean resumed = epoch == start.epoch();
            runEpoch(epoch, resumed ? start.batch() : 0, resumed ? start.pendingVersions() : new long[0]);
        }
    }

    /** Loads the resume state into the model and optimizer, and announces the versions its next requests name. */
    private StateArchive.Position resume() {
        StateArchive.Position start = StateArchive.read(services.store().get(job.resumeKey()), f, optimizer);
        snapshots.findStored();
        // the versions the next requests name were announced by the earlier run, maybe long ago (workers
        // read only the last ham.attack.models-lookback): the in-flight ones and the current weights
        snapshots.announceAgain(LongStream.concat(Arrays.stream(start.pendingVersions()),
                LongStream.of(start.modelVersion())).distinct().toArray());
        services.jobs().event(job.id(), "RESUMED", "from " + job.resumeKey() + " at epoch " + start.epoch()
                + " batch " + start.batch() + " (" + start.stepsDone() + " steps done, model version "
                + start.modelVersion() + ")");
        LOG.infof("job %s resumes from %s at epoch %d batch %d", job.id(), job.resumeKey(), start.epoch(), start.batch());
        return start;
    }

    /**
     * Batches {@code first}.. of one epoch: batch in, attack half, training half, step done. The batches in
     * flight when a resume state was written go out again with the versions it names ({@code pendingVersions}).
     */
    private void runEpoch(int epoch, int first, long[] pendingVersions) {
        float lr = cfg.optimisation().schedule().lr(epoch);
        int[][] plan = Subsets.epochBatches(train.size(), cfg.optimisation().batchSize(), cfg.data().seed(), epoch);
        int next = sendFirst(epoch, plan, first, pendingVersions);
        double lossSum = 0;
        int lossCount = 0;
        for (int b = first; b < plan.length; b++) {
            handle.checkActive();
            writes.check();
            InFlightBatch batch = attack.next(epoch, b);
            long t0 = System.nanoTime();
            List<AttackResult> results = attack.awaitAll(batch);
            long t1 = System.nanoTime();
            StepResult r = trainStep(batch, results, lr, epoch);
            long t2 = System.nanoTime();
            long staleness = version - batch.attackVersion;
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
            stepDone(new JobListener.StepDone(epoch, b, batch.step, stepsDone, version, staleness, r,
                    lossCount == 0 ? null : lossSum / lossCount, b == plan.length - 1,
                    new JobListener.Times(t0, t1, t2, System.nanoTime())));
        }
    }

    /**
     * At an epoch's start: the batches in flight in the resume state (with their versions), then up to
     * {@code batches_in_flight} from {@code first} with the current weights. Returns the next batch to send.
     */
    private int sendFirst(int epoch, int[][] plan, int first, long[] pendingVersions) {
        int next = first;
        for (long v : pendingVersions) {
            if (next < plan.length) {
                send(epoch, next, plan[next], v, plan.length);
                next++;
            }
        }
        while (next < plan.length && next < first + cfg.pipelining().batchesInFlight()) {
            send(epoch, next, plan[next], version, plan.length);
            next++;
        }
        return next;
    }

    private void send(int epoch, int batch, int[] rows, long attackVersion, int batchesPerEpoch) {
        handle.checkActive();
        String modelKey = snapshots.ensure(attackVersion, version);
        attack.send(epoch, batch, rows, attackVersion, modelKey, batchesPerEpoch);
    }

    /** The listeners, in order, then the snapshots nothing needs any more are deleted. */
    private void stepDone(JobListener.StepDone done) {
        for (JobListener l : listeners) {
            l.stepDone(done);
        }
        if (done.lastOfEpoch()) {
            for (JobListener l : listeners) {
                l.epochDone(done);
            }
        }
        snapshots.collect(version, states.minVersion(), attack.inFlightVersions());
    }

    /** The training half: the method's train on the batch and its gathered attack results. */
    private StepResult trainStep(InFlightBatch fl, List<AttackResult> results, float lr, int epoch) {
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = train.images(m, fl.rows);
            NDArray y = train.labels(m, fl.rows);
            List<AttackOutput> shards = new ArrayList<>(results.size());
            for (AttackResult r : results) {
                NDArray adv = r.adversarial() == null ? null
                        : m.create(r.adversarial().floats(), new Shape(r.adversarial().shape()));
                shards.add(new AttackOutput(adv, r.keptIndices(), r.variation(), ContractMapping.attackStats(r.stats())));
            }
            AttackOutput gathered = AttackOutputs.gather(shards, fl.offsets, m);
            synchronized (GradientLock.LOCK) {
                return method.train(f, optimizer, x, y, gathered, lr, epoch);
            }
        }
    }
}
