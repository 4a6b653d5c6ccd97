package org.hamkafka.trainer.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.trainer.persistence.JobState;

import java.time.OffsetDateTime;

/** A job as {@code GET /jobs/{id}} shows it: settings, state and progress. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, JobState state, PartialConfig settings, Progress progress, String error,
                      OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {

    /**
     * Progress of the run. {@code epoch} and {@code batch} are 0-based positions of the last finished
     * step; {@code step} counts finished steps; {@code model_version} counts optimizer updates.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(int epoch, int epochs, int batch, Integer batchesPerEpoch, long step, Double loss,
                           Double dropRate, Double examplesPerSecond, long modelVersion, int staleness,
                           String lastSnapshotKey, String lastCheckpointKey, String lastCheckpointSha256,
                           String resumeKey) {
    }
}
