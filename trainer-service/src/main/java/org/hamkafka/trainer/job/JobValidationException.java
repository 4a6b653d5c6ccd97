package org.hamkafka.trainer.job;

/** A submitted job with a bad field: answered with 400 and {@code {"field": ..., "message": ...}}. */
public class JobValidationException extends RuntimeException {
    private final String field;

    public JobValidationException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
