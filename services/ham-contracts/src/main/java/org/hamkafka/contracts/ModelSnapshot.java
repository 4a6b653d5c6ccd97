package org.hamkafka.contracts;

/**
 * Trainer → attack workers ({@link Topics#MODELS}): model version {@code version} of a job is in S3.
 *
 * @param objectKey S3 object key of the npz weights
 * @param sha256    hex SHA-256 of the object's bytes, to check the download
 */
public record ModelSnapshot(int schemaVersion, String jobId, long version, String objectKey, String sha256,
                            String arch, String dataset) implements Versioned {
    public ModelSnapshot {
        Require.nonBlank(jobId, "job_id");
        Require.nonNegative(version, "version");
        Require.nonBlank(objectKey, "object_key");
        Require.nonBlank(sha256, "sha256");
        Require.nonBlank(arch, "arch");
        Require.nonBlank(dataset, "dataset");
    }
}
