package org.hamkafka.contracts;

import java.time.Instant;
import java.util.List;

/**
 * Trainer → evaluators ({@link Topics#CHECKPOINTS}): the checkpoint of an epoch is in S3.
 *
 * @param objectKey S3 object key of the npz weights
 * @param sha256    hex SHA-256 of the object's bytes
 * @param eps       the training budget (evaluation uses it unless configured otherwise)
 * @param method    training method, e.g. {@code ham}
 * @param evalAttacks the job's own evaluation attacks (e.g. {@code pgd-20, autoattack-standard}); null: the
 *                  evaluator's configured ones
 * @param testSubset the job's class-balanced test subset, 0 = the whole test set; null: the evaluator's
 * @param signature  the trainer's HMAC over what identifies the checkpoint ({@link CheckpointSignature}); an
 *                   evaluator refuses an announcement without a valid one, so a forged announcement (another
 *                   job's weights uploaded under this job's key) is not published as this job's result
 */
public record CheckpointAnnouncement(int schemaVersion, String jobId, int epoch, String objectKey, String sha256,
                                     String arch, String dataset, float eps, String method,
                                     Instant createdAt, @Nullable List<String> evalAttacks,
                                     @Nullable Integer testSubset, @Nullable String signature) implements Versioned {
    /** An unsigned announcement that leaves the evaluation settings to the evaluator. */
    public CheckpointAnnouncement(int schemaVersion, String jobId, int epoch, String objectKey, String sha256,
                                  String arch, String dataset, float eps, String method, Instant createdAt) {
        this(schemaVersion, jobId, epoch, objectKey, sha256, arch, dataset, eps, method, createdAt, null, null, null);
    }

    /** This announcement signed with {@code key} (see {@link CheckpointSignature}). */
    public CheckpointAnnouncement signedWith(byte[] key) {
        return new CheckpointAnnouncement(schemaVersion, jobId, epoch, objectKey, sha256, arch, dataset, eps, method,
                createdAt, evalAttacks, testSubset, CheckpointSignature.sign(key, this));
    }

    public CheckpointAnnouncement {
        Require.nonBlank(jobId, "job_id");
        Require.nonNegative(epoch, "epoch");
        Require.nonBlank(objectKey, "object_key");
        Require.nonBlank(sha256, "sha256");
        Require.nonBlank(arch, "arch");
        Require.nonBlank(dataset, "dataset");
        Require.nonBlank(method, "method");
        Require.nonNull(createdAt, "created_at");
        evalAttacks = evalAttacks == null ? null : List.copyOf(evalAttacks);
        if (testSubset != null && testSubset < 0) {
            throw new IllegalArgumentException("test_subset must be >= 0 (0 = the whole test set); got " + testSubset);
        }
    }
}
