package org.hamkafka.trainer.storage;

import org.hamkafka.trainer.job.JobServices;
import org.hamkafka.trainer.job.TrainerMetrics;

import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.service.ObjectStore;
import org.hamkafka.service.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.function.Supplier;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobRepository;

import java.time.Instant;

/**
 * At every epoch's end, the weights as a checkpoint: stored in S3 (epoch-N.npz, N one-based, with its
 * {@link CheckpointInfo} as epoch-N.json beside it), recorded on the
 * job row with its sha256 and announced on {@code ham.checkpoints} for the eval-service. It holds the weights
 * only ({@link ModelWeights#importNpz} reads it as is); the resume state next to it is {@link ResumeStates}'.
 */
public final class EpochCheckpoints implements TrainingListener {
    private final String jobId;
    private final TrainConfig cfg;
    private final Classifier f;
    private final ObjectStore store;
    private final JobRepository jobs;
    private final TrainerMetrics metrics;
    private final TrainerMessaging messaging;

    private final Tracing tracing;
    /** The trace of the step that finished the epoch: the checkpoint, and its evaluation, join it. */
    private final Supplier<Context> lastStep;

    public EpochCheckpoints(String jobId, TrainConfig cfg, Classifier f, JobServices services,
                            Supplier<Context> lastStep) {
        this.jobId = jobId;
        this.cfg = cfg;
        this.f = f;
        this.store = services.store();
        this.jobs = services.jobs();
        this.metrics = services.metrics();
        this.messaging = services.messaging();
        this.tracing = services.tracing();
        this.lastStep = lastStep;
    }

    @Override
    public void epochDone(StepDone last) {
        Span span = tracing.builder(Tracing.CHECKPOINT, lastStep.get()).setAttribute(Tracing.JOB, jobId)
                .setAttribute(Tracing.EPOCH, (long) last.epoch()).startSpan();
        try {
            publish(last.epoch(), Context.root().with(span));
        } finally {
            span.end();
        }
    }

    private void publish(int epoch, Context trace) {
        byte[] npz = ModelWeights.exportNpz(f);
        String key = ObjectStore.Keys.checkpoint(jobId, epoch + 1);
        String sha = store.put(key, npz, "application/octet-stream");
        // what the npz does not say about itself, for whoever evaluates it (eval-service refuses a mismatch)
        store.put(ObjectStore.Keys.description(key), CheckpointInfo.of(cfg.model(), f.info(), cfg.method()).toJson()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        jobs.recordCheckpoint(jobId, epoch, key, sha);
        metrics.checkpoint();
        messaging.publishCheckpoint(new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, jobId, epoch, key, sha,
                cfg.model(), cfg.dataset(), cfg.threat().eps(), cfg.method(), Instant.now(), cfg.evalAttacks(),
                cfg.data().testSubset(), null), trace); // the job's own evaluation settings; signed by the messaging
    }
}
