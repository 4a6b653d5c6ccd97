package org.hamkafka.attack.service;

/** A model snapshot in S3 as a request names it: the object, its expected sha256 and the version it holds. */
public record SnapshotRef(String jobId, long version, String objectKey, String sha256) {
}
