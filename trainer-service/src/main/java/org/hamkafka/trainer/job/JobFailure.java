package org.hamkafka.trainer.job;

/** A job cannot go on; the message becomes the job's {@code error}. */
public class JobFailure extends RuntimeException {
    public JobFailure(String message) {
        super(message);
    }

    public JobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
