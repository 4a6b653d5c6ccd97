package org.hamkafka.trainer.persistence;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.TrainingProgress;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The job rows as a running job changes them: each method is one transaction of its own
 * ({@code requiringNew}), so a worker thread commits its progress step by step whatever its caller does.
 */
@ApplicationScoped
public class JobRepository {

    /** Ids of the jobs left QUEUED or RUNNING, oldest first. */
    public List<String> unfinished() {
        return QuarkusTransaction.requiringNew().call(() -> TrainingJob.<TrainingJob>list(
                        "state in ?1 order by createdAt", List.of(JobState.QUEUED, JobState.RUNNING))
                .stream().map(j -> j.id).toList());
    }

    /**
     * Marks the job RUNNING and reads what its worker needs with {@code start}, in one transaction: a
     * {@code start} that throws (unreadable settings) rolls the start back. Null when the job is unknown,
     * final, or was cancelled while queued (then it ends CANCELLED).
     */
    public <T> T begin(String id, Function<TrainingJob, T> start) {
        return QuarkusTransaction.requiringNew().call(() -> {
            TrainingJob j = TrainingJob.findById(id);
            if (j == null || j.state.isFinal()) {
                return null;
            }
            if (j.cancelRequested) {
                j.state = JobState.CANCELLED;
                j.finishedAt = OffsetDateTime.now();
                j.updatedAt = j.finishedAt;
                JobEvent.record(id, "CANCELLED", "cancelled before it started");
                return null;
            }
            boolean resumed = j.state == JobState.RUNNING;
            j.state = JobState.RUNNING;
            if (j.startedAt == null) {
                j.startedAt = OffsetDateTime.now();
            }
            j.updatedAt = OffsetDateTime.now();
            JobEvent.record(id, "RUNNING", resumed ? "worker restarted" : "worker started");
            return start.apply(j);
        });
    }

    /** Ends the job in {@code state} with {@code error} (null when none); no-op for an unknown job. */
    public void finish(String id, JobState state, String error) {
        QuarkusTransaction.requiringNew().run(() -> {
            TrainingJob j = TrainingJob.findById(id);
            if (j == null) {
                return;
            }
            j.state = state;
            j.error = error;
            j.finishedAt = OffsetDateTime.now();
            j.updatedAt = j.finishedAt;
            JobEvent.record(id, state.name(), error);
        });
    }

    /** The job's last recorded progress, announced as {@code state}. */
    public TrainingProgress progressOf(String id, JobState state) {
        return QuarkusTransaction.requiringNew().call(() -> {
            TrainingJob j = TrainingJob.findById(id);
            return new TrainingProgress(SchemaVersion.CURRENT, id, j.epoch, j.step, j.loss == null ? 0 : j.loss,
                    j.dropRate == null ? 0 : j.dropRate, j.examplesPerSecond == null ? 0 : j.examplesPerSecond,
                    j.staleness, state.name(), Instant.now());
        });
    }

    public void recordStart(String id, int batchesPerEpoch) {
        update(id, j -> j.batchesPerEpoch = batchesPerEpoch);
    }

    public void recordStep(String id, int epoch, int batch, long step, long version, Double loss, double dropRate,
                           double examplesPerSecond, long staleness) {
        update(id, j -> {
            j.epoch = epoch;
            j.batchIndex = batch;
            j.step = step;
            j.modelVersion = version;
            j.loss = loss;
            j.dropRate = dropRate;
            j.examplesPerSecond = examplesPerSecond;
            j.staleness = (int) staleness;
        });
    }

    public void recordSnapshot(String id, String key) {
        update(id, j -> j.lastSnapshotKey = key);
    }

    /** Stores the new resume point (the next epoch and batch, steps done, model version); returns the key it replaces. */
    public String recordState(String id, String key, int epoch, int batch, long stepsDone, long modelVersion) {
        String[] previous = new String[1];
        update(id, j -> {
            previous[0] = j.resumeKey;
            j.resumeKey = key;
            j.resumeEpoch = epoch;
            j.resumeBatch = batch;
            j.resumeStep = stepsDone;
            j.resumeVersion = modelVersion;
        });
        return previous[0];
    }

    public void recordCheckpoint(String id, int epoch, String key, String sha256) {
        update(id, j -> {
            j.lastCheckpointKey = key;
            j.lastCheckpointSha256 = sha256;
        });
        event(id, "CHECKPOINT", "epoch " + (epoch + 1) + ": " + key + " sha256 " + sha256);
    }

    public void event(String id, String kind, String message) {
        QuarkusTransaction.requiringNew().run(() -> JobEvent.record(id, kind, message));
    }

    private void update(String id, Consumer<TrainingJob> change) {
        QuarkusTransaction.requiringNew().run(() -> {
            TrainingJob j = TrainingJob.findById(id);
            if (j == null) {
                throw new JobMissingException("job " + id + " disappeared from the database");
            }
            change.accept(j);
            j.updatedAt = OffsetDateTime.now();
        });
    }

    /** The row of a running job is gone. */
    public static final class JobMissingException extends IllegalStateException {
        JobMissingException(String message) {
            super(message);
        }
    }
}
