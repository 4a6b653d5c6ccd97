package org.hamkafka.attack.service;

/**
 * A model snapshot as a request names it: the object, its expected sha256 and the version it holds;
 * {@code npz} is the snapshot's bytes when they came inline with the announcement (else null: read
 * {@code objectKey} from S3).
 */
public record SnapshotRef(String jobId, long version, String objectKey, String sha256, byte[] npz) {
    public SnapshotRef(String jobId, long version, String objectKey, String sha256) {
        this(jobId, version, objectKey, sha256, null);
    }
}
