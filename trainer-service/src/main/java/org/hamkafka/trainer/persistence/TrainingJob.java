package org.hamkafka.trainer.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import org.hibernate.annotations.DynamicUpdate;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A training job: its settings (JSON of the submitted request, defaults filled in), its state and
 * progress, and the resume point (object key of the last stored state and the position it holds).
 * Schema: {@code db/migration/V1__jobs.sql}.
 *
 * <p>Dynamic updates: a job's row is written from more than one thread (its training thread, its
 * background S3 writes, the REST cancel), each changing its own columns; writing only the changed
 * columns keeps one transaction from putting back another's columns as it had read them.
 */
@Entity
@Table(name = "training_job")
@DynamicUpdate
public class TrainingJob extends PanacheEntityBase {
    @Id
    @Column(length = 36)
    public String id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public JobState state;

    @Column(name = "config_json", nullable = false, columnDefinition = "text")
    public String configJson;

    @Column(name = "shards_per_batch", nullable = false)
    public int shardsPerBatch;

    @Column(name = "batches_in_flight", nullable = false)
    public int batchesInFlight;

    @Column(nullable = false)
    public int epochs;

    @Column(name = "batches_per_epoch")
    public Integer batchesPerEpoch;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** 0-based epoch of the last finished step. */
    @Column(nullable = false)
    public int epoch;

    /** 0-based batch of the last finished step within its epoch. */
    @Column(name = "batch_index", nullable = false)
    public int batchIndex;

    /** Training steps finished (batches), over all epochs. */
    @Column(nullable = false)
    public long step;

    /** Optimizer updates applied to the weights (a HAM batch with no hard example makes none). */
    @Column(name = "model_version", nullable = false)
    public long modelVersion;

    public Double loss;

    @Column(name = "drop_rate")
    public Double dropRate;

    @Column(name = "examples_per_second")
    public Double examplesPerSecond;

    /** Model versions between the weights a batch was attacked with and the weights it trained. */
    @Column(nullable = false)
    public int staleness;

    @Column(name = "last_snapshot_key", length = 512)
    public String lastSnapshotKey;

    @Column(name = "last_checkpoint_key", length = 512)
    public String lastCheckpointKey;

    @Column(name = "last_checkpoint_sha256", length = 64)
    public String lastCheckpointSha256;

    /** Object key of the latest resume state (weights + optimizer momentum + position). */
    @Column(name = "resume_key", length = 512)
    public String resumeKey;

    /** Position held by {@link #resumeKey}: the next step to run. */
    @Column(name = "resume_epoch")
    public Integer resumeEpoch;

    @Column(name = "resume_batch")
    public Integer resumeBatch;

    @Column(name = "resume_step")
    public Long resumeStep;

    @Column(name = "resume_version")
    public Long resumeVersion;

    @Column(name = "cancel_requested", nullable = false)
    public boolean cancelRequested;

    @Column(columnDefinition = "text")
    public String error;

    /** Jobs {@code offset .. offset + limit - 1}, newest first. */
    public static List<TrainingJob> newestFirst(int limit, int offset) {
        return find("order by createdAt desc").range(offset, offset + limit - 1).list();
    }

    public static List<TrainingJob> inState(JobState state) {
        return list("state", Sort.by("createdAt"), state);
    }
}
