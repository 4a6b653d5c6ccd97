package org.hamkafka.trainer.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.TrainingProgress;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobEvent;
import org.hamkafka.trainer.persistence.JobState;
import org.hamkafka.trainer.persistence.TrainingJob;
import org.hamkafka.trainer.rest.JobRequest;
import org.hamkafka.service.ObjectStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs training jobs, each on its own worker thread (never on an event loop), at most
 * {@code ham.trainer.max-concurrent-jobs} at once. State lives in PostgreSQL and the weights in S3,
 * so a job left RUNNING by a stopped process is continued on the next start-up from its last
 * resume state.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    @Inject
    TrainerMessaging messaging;
    @Inject
    ObjectStore store;
    @Inject
    TrainerMetrics metrics;
    @Inject
    TrainingDataCache data;
    @Inject
    TrainerSettings settings;
    @Inject
    ObjectMapper mapper;
    /** Root folder holding fashion-mnist/, cifar10/...; empty: ham-core's default. */
    @ConfigProperty(name = "ham.data.dir")
    Optional<String> dataRoot;

    private final Map<String, RunHandle> running = new ConcurrentHashMap<>();
    private volatile ExecutorService pool;

    /** What a worker needs to start (or continue) a job, read in one transaction. */
    record JobStart(String id, JobRequest settings, int shardsPerBatch, int batchesInFlight, String resumeKey) {
    }

    void onStart(@Observes StartupEvent ev) {
        if (settings.resumeOnStart()) {
            resumeUnfinished();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        haltAll();
    }

    private ExecutorService pool() {
        if (pool == null) {
            synchronized (this) {
                if (pool == null) {
                    AtomicInteger n = new AtomicInteger();
                    pool = Executors.newFixedThreadPool(Math.max(1, settings.maxConcurrentJobs()), r -> {
                        Thread t = new Thread(r, "ham-trainer-job-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
        }
        return pool;
    }

    /** Queues a job for a worker thread; no-op when it already runs here. */
    public void start(String jobId) {
        RunHandle h = new RunHandle(jobId);
        if (running.putIfAbsent(jobId, h) != null) {
            return;
        }
        pool().submit(() -> execute(h));
    }

    /** Continues every job left QUEUED or RUNNING (what start-up does). Returns their ids. */
    public List<String> resumeUnfinished() {
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> TrainingJob.<TrainingJob>list(
                        "state in ?1 order by createdAt", List.of(JobState.QUEUED, JobState.RUNNING))
                .stream().map(j -> j.id).toList());
        for (String id : ids) {
            LOG.infof("continuing job %s left unfinished by an earlier run", id);
            start(id);
        }
        return ids;
    }

    /** Asks a running job to stop; it ends CANCELLED. False when it does not run here. */
    public boolean cancel(String jobId) {
        RunHandle h = running.get(jobId);
        if (h == null) {
            return false;
        }
        h.cancel();
        messaging.pending().abandon(jobId, "job " + jobId + " cancelled");
        return true;
    }

    /**
     * Stops a job's worker without changing its stored state, as a crash would (the job stays
     * RUNNING and continues from its last resume state on {@link #resumeUnfinished()}). Waits up
     * to {@code waitSeconds} for the worker to end; true when it ended.
     */
    public boolean halt(String jobId, long waitSeconds) {
        RunHandle h = running.get(jobId);
        if (h == null) {
            return true;
        }
        h.halt();
        messaging.pending().abandon(jobId, "job " + jobId + " halted");
        try {
            h.done.get(waitSeconds, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public boolean isRunningHere(String jobId) {
        return running.containsKey(jobId);
    }

    void haltAll() {
        for (String id : List.copyOf(running.keySet())) {
            halt(id, 30);
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private void execute(RunHandle h) {
        String id = h.jobId;
        boolean counted = false;
        try {
            JobStart js = QuarkusTransaction.requiringNew().call(() -> begin(id));
            if (js == null) {
                return;
            }
            metrics.jobStarted();
            counted = true;
            TrainConfig cfg = JobSettings.toTrainConfig(js.settings(), dataDir(js.settings().dataset), settings.device());
            new JobExecution(this, h, js, cfg).run();
            finish(id, JobState.COMPLETED, null);
        } catch (CancellationException e) {
            if (h.halted()) {
                LOG.infof("job %s halted; it stays RUNNING and continues from its last resume state", id);
            } else {
                finish(id, JobState.CANCELLED, null);
            }
        } catch (Throwable t) {
            if (h.halted()) {
                LOG.infof("job %s halted (%s)", id, t.toString());
            } else {
                LOG.errorf(t, "job %s failed", id);
                finish(id, JobState.FAILED, t instanceof JobFailure ? t.getMessage() : t.toString());
            }
        } finally {
            if (counted) {
                metrics.jobEnded();
            }
            running.remove(id, h);
            h.done.complete(null);
        }
    }

    /** RUNNING, or null when the job is unknown, final, or was cancelled while queued. */
    private JobStart begin(String id) {
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
        try {
            JobRequest s = mapper.readValue(j.configJson, JobRequest.class);
            return new JobStart(j.id, s, j.shardsPerBatch, j.batchesInFlight, j.resumeKey);
        } catch (Exception e) {
            throw new JobFailure("stored settings of job " + id + " are unreadable: " + e.getMessage(), e);
        }
    }

    /** The folder of one data set under {@code ham.data.dir}, or null for ham-core's default. */
    public String dataDir(String dataset) {
        return dataRoot.filter(s -> !s.isBlank())
                .map(root -> java.nio.file.Path.of(root).resolve(dataset).toString()).orElse(null);
    }

    private void finish(String id, JobState state, String error) {
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
        messaging.publishProgress(progressOf(id, state));
    }

    private TrainingProgress progressOf(String id, JobState state) {
        return QuarkusTransaction.requiringNew().call(() -> {
            TrainingJob j = TrainingJob.findById(id);
            return new TrainingProgress(SchemaVersion.CURRENT, id, j.epoch, j.step, j.loss == null ? 0 : j.loss,
                    j.dropRate == null ? 0 : j.dropRate, j.examplesPerSecond == null ? 0 : j.examplesPerSecond,
                    j.staleness, state.name(), Instant.now());
        });
    }

    // ------------------------------------------------------------------ progress records (one transaction each)

    void recordStart(String id, int batchesPerEpoch) {
        update(id, j -> j.batchesPerEpoch = batchesPerEpoch);
    }

    void recordStep(String id, int epoch, int batch, long step, long version, Double loss, double dropRate,
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

    void recordSnapshot(String id, String key) {
        update(id, j -> j.lastSnapshotKey = key);
    }

    /** Stores the new resume point; returns the key it replaces. */
    String recordState(String id, String key, StateArchive.Position p) {
        String[] previous = new String[1];
        update(id, j -> {
            previous[0] = j.resumeKey;
            j.resumeKey = key;
            j.resumeEpoch = p.epoch();
            j.resumeBatch = p.batch();
            j.resumeStep = p.stepsDone();
            j.resumeVersion = p.modelVersion();
        });
        return previous[0];
    }

    void recordCheckpoint(String id, int epoch, String key, String sha256) {
        update(id, j -> {
            j.lastCheckpointKey = key;
            j.lastCheckpointSha256 = sha256;
        });
        event(id, "CHECKPOINT", "epoch " + (epoch + 1) + ": " + key + " sha256 " + sha256);
    }

    void event(String id, String kind, String message) {
        QuarkusTransaction.requiringNew().run(() -> JobEvent.record(id, kind, message));
    }

    private void update(String id, java.util.function.Consumer<TrainingJob> change) {
        QuarkusTransaction.requiringNew().run(() -> {
            TrainingJob j = TrainingJob.findById(id);
            if (j == null) {
                throw new JobFailure("job " + id + " disappeared from the database");
            }
            change.accept(j);
            j.updatedAt = OffsetDateTime.now();
        });
    }
}
