package org.hamkafka.trainer.run;

import org.hamkafka.trainer.job.JobFailure;
import org.hamkafka.trainer.job.JobServices;
import org.hamkafka.service.Tracing;
import org.hamkafka.trainer.job.TrainerMetrics;
import org.hamkafka.trainer.job.TrainerSettings;
import org.hamkafka.trainer.job.TrainingDataCache;
import org.hamkafka.trainer.job.JobSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.model.EngineCheck;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobRepository;
import org.hamkafka.trainer.persistence.JobState;
import org.hamkafka.trainer.persistence.TrainingJob;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.service.ObjectStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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

    private final TrainerMessaging messaging;
    private final TrainerMetrics metrics;
    private final TrainerSettings settings;
    private final ObjectMapper mapper;
    private final JobRepository jobs;
    /** Root folder holding fashion-mnist/, cifar10/...; empty: ham-core's default. */
    private final Optional<String> dataRoot;
    private final JobServices services;

    private final Map<String, RunHandle> running = new ConcurrentHashMap<>();
    private volatile ExecutorService pool;

    /** What a worker needs to start (or continue) a job, read in one transaction. */
    record JobStart(String id, PartialConfig settings, String resumeKey) {
    }

    JobRunner(TrainerMessaging messaging, ObjectStore store, TrainerMetrics metrics, TrainingDataCache data,
              TrainerSettings settings, ObjectMapper mapper, JobRepository jobs,
              @ConfigProperty(name = "ham.data.dir") Optional<String> dataRoot, Tracing tracing) {
        this.messaging = messaging;
        this.metrics = metrics;
        this.settings = settings;
        this.mapper = mapper;
        this.jobs = jobs;
        this.dataRoot = dataRoot;
        this.services = new JobServices(messaging, store, metrics, data, settings, jobs, tracing);
    }

    void onStart(@Observes StartupEvent ev) {
        // refuses to start on an engine that computes wrong
        LOG.info(EngineCheck.requireDefaults(Devices.resolve(settings.device())));
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

    /** Publishes a job's state on ham.training.progress: QUEUED when submitted, CANCELLED when cancelled outside a worker. */
    public void announce(String jobId, JobState state) {
        messaging.publishProgress(jobs.progressOf(jobId, state));
    }

    /** Continues every job left QUEUED or RUNNING (what start-up does). Returns their ids. */
    public List<String> resumeUnfinished() {
        List<String> ids = jobs.unfinished();
        for (String id : ids) {
            LOG.infof("continuing job %s left unfinished by an earlier run", id);
            start(id);
        }
        return ids;
    }

    /**
     * Asks a job to stop; it ends CANCELLED — at once when it still waits for a worker thread (it showed QUEUED
     * until a thread came free), else at its next step boundary. False when it does not run here.
     */
    public boolean cancel(String jobId) {
        RunHandle h = running.get(jobId);
        if (h == null) {
            return false;
        }
        if (h.claimForCancelBeforeStart()) {
            running.remove(jobId, h);
            finish(jobId, JobState.CANCELLED, null);
            h.done.complete(null);
            return true;
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
        if (!h.claimForWorker()) {
            return; // cancelled while it waited for this thread, and already ended
        }
        String id = h.jobId;
        boolean counted = false;
        try {
            JobStart js = jobs.begin(id, this::startOf);
            if (js == null) {
                return;
            }
            metrics.jobStarted();
            counted = true;
            TrainConfig cfg = JobSettings.resolve(js.settings(), this::dataDir, settings.device());
            // an operator's log names each job's start and end (the job row has the rest)
            LOG.infof("job %s %s: %s %s on %s, %d epoch(s)", id, js.resumeKey() == null ? "started" : "resumed",
                    cfg.method(), cfg.model(), cfg.dataset(), cfg.optimisation().epochs());
            long t0 = System.nanoTime();
            new JobExecution(services, h, js, cfg).run();
            finish(id, JobState.COMPLETED, null);
            LOG.infof("job %s COMPLETED in %.1f s", id, (System.nanoTime() - t0) / 1e9);
        } catch (CancellationException e) {
            if (h.halted()) {
                LOG.infof("job %s halted; it stays RUNNING and continues from its last resume state", id);
            } else {
                finish(id, JobState.CANCELLED, null);
                LOG.infof("job %s CANCELLED", id);
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
                metrics.jobEnded(id);
            }
            running.remove(id, h);
            h.done.complete(null);
        }
    }

    /** What the worker of a job just marked RUNNING needs (read inside that transaction: throwing rolls it back). */
    private JobStart startOf(TrainingJob j) {
        try {
            PartialConfig s = JobSettings.readStored(j.configJson, mapper);
            return new JobStart(j.id, s, j.resumeKey);
        } catch (Exception e) {
            throw new JobFailure("stored settings of job " + j.id + " are unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * The folder of one data set under {@code ham.data.dir} (a known set's name, {@code <name>} of a user's own
     * {@code <kind>:<name>}), or null for ham-core's default; null too for a name that is not a data set's, which
     * the settings' validation then names.
     */
    public String dataDir(String dataset) {
        if (!org.hamkafka.core.data.Datasets.isKnown(dataset)) {
            return null;
        }
        String folder = org.hamkafka.core.data.Datasets.folderName(dataset);
        return dataRoot.filter(s -> !s.isBlank())
                .map(root -> java.nio.file.Path.of(root).resolve(folder).toString()).orElse(null);
    }

    private void finish(String id, JobState state, String error) {
        jobs.finish(id, state, error);
        messaging.publishProgress(jobs.progressOf(id, state));
    }
}
