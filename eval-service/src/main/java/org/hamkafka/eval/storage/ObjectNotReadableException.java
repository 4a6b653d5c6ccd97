package org.hamkafka.eval.storage;

/** An object is missing from the bucket or cannot be read; the message names it. */
public class ObjectNotReadableException extends RuntimeException {
    public ObjectNotReadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
