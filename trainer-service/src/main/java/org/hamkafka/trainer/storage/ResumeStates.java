package org.hamkafka.trainer.storage;

import org.hamkafka.trainer.job.JobServices;

import org.hamkafka.core.train.FairnessState;
import org.hamkafka.core.train.Position;
import org.hamkafka.core.train.StateArchive;
import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.trainer.persistence.JobRepository;

import java.util.function.Supplier;

/**
 * The resume states of a job ({@link StateArchive}: weights, momentum, position and the versions of the batches
 * in flight), every {@code ham.trainer.state-every-steps} steps and at every epoch's end. Each is written behind
 * the steps by {@link OrderedWrites}, after the uploads of the snapshots it names, then recorded on the job row,
 * which replaces (and deletes) the one before it.
 */
public final class ResumeStates implements TrainingListener {
    private static final String NPZ = "application/octet-stream";

    private final String jobId;
    private final Classifier f;
    private final SgdMomentum optimizer;
    private final Supplier<long[]> inFlightVersions;
    private final OrderedWrites writes;
    private final ObjectStore store;
    private final JobRepository jobs;
    private final int everySteps;
    /** Smallest model version the last stored resume state refers to. */
    private long minVersion;

    /**
     * @param inFlightVersions the versions of the batches in flight at the time of a state
     * @param minVersion       the smallest version the state this run started from refers to
     */
    public ResumeStates(String jobId, Classifier f, SgdMomentum optimizer, Supplier<long[]> inFlightVersions,
                 OrderedWrites writes, JobServices services, long minVersion) {
        this.jobId = jobId;
        this.f = f;
        this.optimizer = optimizer;
        this.inFlightVersions = inFlightVersions;
        this.writes = writes;
        this.store = services.store();
        this.jobs = services.jobs();
        this.everySteps = services.settings().stateEverySteps();
        this.minVersion = minVersion;
    }

    /** The oldest model version that the last stored resume state needs. */
    public long minVersion() {
        return minVersion;
    }

    @Override
    public void stepDone(StepDone s) {
        if (!s.lastOfEpoch() && s.stepsDone() % everySteps == 0) {
            save(s.epoch(), s.batch() + 1, s.stepsDone(), s.version(), s.fairness());
        }
    }

    @Override
    public void epochDone(StepDone last) {
        save(last.epoch() + 1, 0, last.stepsDone(), last.version(), last.fairness());
    }

    private void save(int nextEpoch, int nextBatch, long stepsDone, long version, FairnessState fairness) {
        long[] pending = inFlightVersions.get();
        Position p = new Position(nextEpoch, nextBatch, stepsDone, version, pending, fairness);
        String key = ObjectStore.Keys.resumeState(jobId, stepsDone);
        byte[] state = StateArchive.write(f, optimizer, p);
        minVersion = StoredSnapshots.min(pending, version);
        // queued after the uploads of the snapshots it refers to, so a stored state never names a missing one
        writes.submit("writing resume state " + key, () -> {
            store.put(key, state, NPZ);
            String previous = jobs.recordState(jobId, key, p.epoch(), p.batch(), p.stepsDone(), p.modelVersion());
            if (previous != null && !previous.equals(key)) {
                SnapshotPublisher.deleteQuietly(store, jobId, previous);
            }
        });
    }
}
