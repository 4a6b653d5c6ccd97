package org.hamkafka.eval.service;

/** A checkpoint that must not be evaluated: missing, sha256 mismatch, or not loadable as the model. */
public class CheckpointRejectedException extends RuntimeException {
    public CheckpointRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
