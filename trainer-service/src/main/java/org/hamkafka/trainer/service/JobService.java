package org.hamkafka.trainer.service;

import org.hamkafka.trainer.job.JobSettings;
import org.hamkafka.trainer.job.JobValidationException;
import org.hamkafka.trainer.job.TrainingDataCache;

import org.hamkafka.trainer.job.TrainerSettings;
import org.hamkafka.trainer.run.JobRunner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.hamkafka.core.data.DatasetNotFoundException;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.service.JobIds;
import org.hamkafka.trainer.persistence.JobEvent;
import org.hamkafka.trainer.persistence.JobState;
import org.hamkafka.trainer.persistence.TrainingJob;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Submitting, listing and cancelling jobs; the runner does the training. */
@ApplicationScoped
public class JobService {
    @Inject
    JobRunner runner;
    @Inject
    TrainerSettings settings;
    @Inject
    ObjectMapper mapper;
    @Inject
    TrainingDataCache data;

    /** The most jobs one GET /jobs returns. */
    public static final int MAX_PAGE = 1000;

    /** Outcome of a cancel request. */
    public enum CancelOutcome { CANCELLED, CANCELLING, ALREADY_FINAL, UNKNOWN }

    /** Validates, stores QUEUED and hands the job to the runner. */
    public JobView submit(PartialConfig request) {
        TrainConfig resolved = JobSettings.resolve(request, runner::dataDir, settings.device());
        checkEvaluationCost(resolved);
        String id = create(resolved);
        runner.announce(id, JobState.QUEUED);
        runner.start(id);
        return get(id).orElseThrow();
    }

    /** Refuses an evaluation over the bound; one whose test split cannot be read here is left to the job's failure. */
    private void checkEvaluationCost(TrainConfig cfg) {
        TrainingDataCache.TestSplit test;
        try {
            test = data.testSplit(cfg);
        } catch (DatasetNotFoundException | java.io.UncheckedIOException e) {
            return; // the job fails when it loads its data, with the data set's own message
        } catch (IllegalArgumentException e) {
            throw new JobValidationException("test_subset", e.getMessage());
        }
        JobSettings.checkEvaluationCost(cfg, test.classes(), test.examples(), settings.maxEvalRows());
    }

    @Transactional
    String create(TrainConfig resolved) {
        TrainingJob j = new TrainingJob();
        j.id = UUID.randomUUID().toString();
        j.state = JobState.QUEUED;
        try {
            j.configJson = JobSettings.stored(resolved, mapper);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store job settings: " + e.getMessage(), e);
        }
        j.shardsPerBatch = resolved.pipelining().shardsPerBatch();
        j.batchesInFlight = resolved.pipelining().batchesInFlight();
        j.epochs = resolved.optimisation().epochs();
        j.createdAt = OffsetDateTime.now();
        j.updatedAt = j.createdAt;
        j.persist();
        JobEvent.record(j.id, "QUEUED", "submitted");
        return j.id;
    }

    @Transactional
    public Optional<JobView> get(String id) {
        if (!JobIds.plausible(id)) {
            return Optional.empty();
        }
        return TrainingJob.<TrainingJob>findByIdOptional(id).map(this::view);
    }

    @Transactional
    public List<JobView> list(int limit, int offset) {
        return TrainingJob.newestFirst(limit, offset).stream().map(this::view).toList();
    }

    @Transactional
    public List<JobEvent> events(String id) {
        return JobEvent.of(id);
    }

    /** QUEUED jobs end at once; RUNNING ones at their next step boundary. */
    public CancelOutcome cancel(String id) {
        CancelOutcome outcome = markCancel(id);
        if (outcome == CancelOutcome.CANCELLED) {
            runner.announce(id, JobState.CANCELLED);
        } else if (outcome == CancelOutcome.CANCELLING && !runner.cancel(id)) {
            // not running in this process (e.g. left RUNNING by a stopped one): nothing to wait for
            finishCancel(id);
            runner.announce(id, JobState.CANCELLED);
            return CancelOutcome.CANCELLED;
        }
        return outcome == CancelOutcome.CANCELLING ? currentOutcome(id, outcome) : outcome;
    }

    /** CANCELLED when the runner ended a job that still waited for a thread, else the outcome as marked. */
    @Transactional
    CancelOutcome currentOutcome(String id, CancelOutcome marked) {
        TrainingJob j = TrainingJob.findById(id);
        return j != null && j.state == JobState.CANCELLED ? CancelOutcome.CANCELLED : marked;
    }

    @Transactional
    CancelOutcome markCancel(String id) {
        if (!JobIds.plausible(id)) {
            return CancelOutcome.UNKNOWN;
        }
        TrainingJob j = TrainingJob.findById(id);
        if (j == null) {
            return CancelOutcome.UNKNOWN;
        }
        if (j.state.isFinal()) {
            return CancelOutcome.ALREADY_FINAL;
        }
        j.cancelRequested = true;
        j.updatedAt = OffsetDateTime.now();
        if (j.state == JobState.QUEUED && !runner.isRunningHere(id)) {
            j.state = JobState.CANCELLED;
            j.finishedAt = j.updatedAt;
            JobEvent.record(id, "CANCELLED", "cancelled while queued");
            return CancelOutcome.CANCELLED;
        }
        JobEvent.record(id, "CANCEL_REQUESTED", null);
        return CancelOutcome.CANCELLING;
    }

    @Transactional
    void finishCancel(String id) {
        TrainingJob j = TrainingJob.findById(id);
        if (j != null && !j.state.isFinal()) {
            j.state = JobState.CANCELLED;
            j.finishedAt = OffsetDateTime.now();
            j.updatedAt = j.finishedAt;
            JobEvent.record(id, "CANCELLED", "cancelled (no worker was running it)");
        }
    }

    JobView view(TrainingJob j) {
        PartialConfig s;
        try {
            s = mapper.readValue(j.configJson, PartialConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored settings of job " + j.id + " are unreadable: " + e.getMessage(), e);
        }
        JobView.Progress p = new JobView.Progress(j.epoch, j.epochs, j.batchIndex, j.batchesPerEpoch, j.step, j.loss,
                j.dropRate, j.examplesPerSecond, j.modelVersion, j.staleness, j.lastSnapshotKey, j.lastCheckpointKey,
                j.lastCheckpointSha256, j.resumeKey);
        return new JobView(j.id, j.state, s, p, j.error, j.createdAt, j.startedAt, j.finishedAt);
    }
}
