package org.hamkafka.attack.service;

/** The snapshot a request names cannot be used: missing, sha256 mismatch, or not readable as weights. */
public class SnapshotRejectedException extends RuntimeException {
    public SnapshotRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
