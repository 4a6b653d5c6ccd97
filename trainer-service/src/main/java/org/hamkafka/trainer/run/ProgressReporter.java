package org.hamkafka.trainer.run;

import org.hamkafka.trainer.job.JobServices;
import org.hamkafka.trainer.job.TrainerMetrics;

import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.TrainingProgress;
import org.hamkafka.core.train.StepResult;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobRepository;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * A job's progress after every step, in three places: its row in the database, {@code ham.training.progress}
 * (state EPOCH_DONE after an epoch's last step, else RUNNING) and the Prometheus metrics.
 */
public final class ProgressReporter implements TrainingListener {
    private static final Logger LOG = Logger.getLogger(ProgressReporter.class);

    private final String jobId;
    private final JobRepository jobs;
    private final TrainerMessaging messaging;
    private final TrainerMetrics metrics;
    /** When the previous step ended (at first: when the job's loop started). */
    private long lastStepEnd = System.nanoTime();

    ProgressReporter(String jobId, JobServices services) {
        this.jobId = jobId;
        this.jobs = services.jobs();
        this.messaging = services.messaging();
        this.metrics = services.metrics();
    }

    @Override
    public void stepDone(StepDone s) {
        StepResult r = s.result();
        StepDone.Times t = s.times();
        // where a step's time goes: waiting for the attack half, the training half, snapshot + request
        LOG.debugf("job %s step %d: waited %.1f ms for attack results, trained %.1f ms, next snapshot and "
                        + "request %.1f ms", jobId, s.step(), (t.attackEnd() - t.attackStart()) / 1e6,
                (t.trained() - t.attackEnd()) / 1e6, (t.end() - t.trained()) / 1e6);
        double examplesPerSecond = r.examplesIn() / Math.max(1e-9, (t.end() - lastStepEnd) / 1e9);
        lastStepEnd = t.end();
        double dropRate = r.examplesIn() == 0 ? 0 : 1.0 - (double) r.examplesTrained() / r.examplesIn();
        double meanLoss = s.epochMeanLoss() == null ? 0 : s.epochMeanLoss();
        jobs.recordStep(jobId, s.epoch(), s.batch(), s.stepsDone(), s.version(), s.epochMeanLoss(), dropRate,
                examplesPerSecond, s.staleness());
        metrics.step(jobId, r.examplesIn(), dropRate, examplesPerSecond, s.staleness(), meanLoss);
        messaging.publishProgress(new TrainingProgress(SchemaVersion.CURRENT, jobId, s.epoch(), s.stepsDone(),
                meanLoss, dropRate, examplesPerSecond, s.staleness(), s.lastOfEpoch() ? "EPOCH_DONE" : "RUNNING",
                Instant.now()));
    }
}
