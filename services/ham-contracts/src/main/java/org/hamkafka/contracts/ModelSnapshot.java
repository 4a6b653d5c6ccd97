package org.hamkafka.contracts;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * Trainer → attack workers ({@link Topics#MODELS}): model version {@code version} of a job is in S3.
 *
 * @param objectKey S3 object key of the npz weights
 * @param sha256    hex SHA-256 of the object's bytes, to check the download (and {@code npz})
 * @param npz       the npz bytes themselves (a section of the binary envelope; base64 in version 1's JSON) when
 *                  they are small enough to travel with the announcement, or null: then the worker fetches
 *                  {@code object_key}. Inline snapshots spare every step an S3 round trip on the critical path;
 *                  the S3 copy is still written, for resume and for workers that no longer hold the bytes.
 */
public record ModelSnapshot(int schemaVersion, String jobId, long version, String objectKey, String sha256,
                            String arch, String dataset,
                            @Nullable @JsonSerialize(using = BytesJson.Serializer.class)
                            @JsonDeserialize(using = BytesJson.Deserializer.class) byte[] npz) implements Versioned {
    public ModelSnapshot {
        Require.nonBlank(jobId, "job_id");
        Require.nonNegative(version, "version");
        Require.nonBlank(objectKey, "object_key");
        Require.nonBlank(sha256, "sha256");
        Require.nonBlank(arch, "arch");
        Require.nonBlank(dataset, "dataset");
        if (npz != null && npz.length == 0) {
            throw new IllegalArgumentException("npz must be absent or hold the snapshot's bytes; got an empty value");
        }
    }

    /** An announcement without inline bytes: the worker reads the snapshot from S3. */
    public ModelSnapshot(int schemaVersion, String jobId, long version, String objectKey, String sha256, String arch,
                         String dataset) {
        this(schemaVersion, jobId, version, objectKey, sha256, arch, dataset, null);
    }
}
