package org.hamkafka.contracts;

import java.time.Instant;

/**
 * Trainer → evaluators ({@link Topics#CHECKPOINTS}): the checkpoint of an epoch is in S3.
 *
 * @param objectKey S3 object key of the npz weights
 * @param sha256    hex SHA-256 of the object's bytes
 * @param eps       the training budget (evaluation uses it unless configured otherwise)
 * @param method    training method, e.g. {@code ham}
 */
public record CheckpointAnnouncement(int schemaVersion, String jobId, int epoch, String objectKey, String sha256,
                                     String arch, String dataset, float eps, String method,
                                     Instant createdAt) implements Versioned {
    public CheckpointAnnouncement {
        Require.nonBlank(jobId, "job_id");
        Require.nonNegative(epoch, "epoch");
        Require.nonBlank(objectKey, "object_key");
        Require.nonBlank(sha256, "sha256");
        Require.nonBlank(arch, "arch");
        Require.nonBlank(dataset, "dataset");
        Require.nonBlank(method, "method");
        Require.nonNull(createdAt, "created_at");
    }
}
