package org.hamkafka.trainer.run;

import org.hamkafka.trainer.job.JobServices;
import org.hamkafka.trainer.storage.EpochCheckpoints;
import org.hamkafka.trainer.storage.OrderedWrites;
import org.hamkafka.trainer.storage.ResumeStates;
import org.hamkafka.trainer.storage.SnapshotPublisher;
import org.hamkafka.trainer.storage.StoredSnapshots;

import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.Position;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.StateArchive;
import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.train.TrainingRun;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

/**
 * One training job, run on its own worker thread: ham-core's {@link TrainingRun} loop — same model from the seed,
 * same batch plan, step seeds, learning rates and training half as in one process — with the attack half done by
 * the attack workers ({@link RemoteAttack}) and the job's listeners: progress, checkpoints, resume states, and
 * the deletes of snapshots no longer needed ({@link SnapshotPublisher}). What is left here is set-up and resume.
 *
 * <p>Off the critical path: a snapshot small enough ({@code ham.trainer.inline-snapshot-bytes}) travels
 * inside its announcement, so the request can go out at once; its S3 copy, the resume states and the
 * deletes of old snapshots are written behind the steps by {@link OrderedWrites}, in order.
 */
public final class JobExecution {
    private static final Logger LOG = Logger.getLogger(JobExecution.class);

    private final JobServices services;
    private final RunHandle handle;
    private final JobRunner.JobStart job;
    private final TrainConfig cfg;

    JobExecution(JobServices services, RunHandle handle, JobRunner.JobStart job, TrainConfig cfg) {
        this.services = services;
        this.handle = handle;
        this.job = job;
        this.cfg = cfg;
    }

    void run() {
        Dataset train = services.data().train(cfg);
        TrainingRun run = new TrainingRun(cfg);
        Classifier f;
        // Classifier.create seeds DJL's global generator then initializes: two at once would mix
        synchronized (Classifier.class) {
            f = run.newModel(train);
        }
        SgdMomentum optimizer = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
        OrderedWrites writes = new OrderedWrites(job.id());
        try {
            SnapshotPublisher snapshots = new SnapshotPublisher(job.id(), cfg, f, writes, services);
            int batchesPerEpoch = Subsets.epochBatches(train.size(), cfg.optimisation().batchSize(), cfg.data().seed(), 0).length;
            services.jobs().recordStart(job.id(), batchesPerEpoch);
            Position start = job.resumeKey() == null ? Position.START : resume(f, optimizer, snapshots);
            RemoteAttack attack = new RemoteAttack(job, cfg, train, handle, snapshots, services, start);
            ResumeStates states = new ResumeStates(job.id(), f, optimizer, attack::inFlightVersions, writes, services,
                    StoredSnapshots.min(start.pendingVersions(), start.modelVersion()));
            TrainingListener collect = new TrainingListener() {
                @Override
                public void stepDone(StepDone s) {
                    if (s.lastOfEpoch()) {
                        return; // once the epoch's checkpoint and state are out (epochDone)
                    }
                    writes.check();
                    snapshots.collect(s.version(), states.minVersion(), attack.inFlightVersions());
                }

                @Override
                public void epochDone(StepDone last) {
                    writes.check();
                    snapshots.collect(last.version(), states.minVersion(), attack.inFlightVersions());
                }
            };
            try (TrainingRun.Steps steps = run.steps(f, train, optimizer, attack, start, List.of(
                    new ProgressReporter(job.id(), services), new EpochCheckpoints(job.id(), cfg, f, services, attack::lastStep),
                    states, collect))) {
                steps.run();
            }
            writes.await(); // the job is done when its last state and snapshots are in S3
        } finally {
            writes.close();
            services.messaging().pending().abandon(job.id(), "job " + job.id() + " stopped");
            optimizer.clear();
            f.close();
        }
    }

    /** Loads the resume state into the model and optimizer, and announces the versions its next requests name. */
    private Position resume(Classifier f, SgdMomentum optimizer, SnapshotPublisher snapshots) {
        Position start = StateArchive.read(services.store().get(job.resumeKey()), f, optimizer);
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
}
