package org.hamkafka.service;

/** An object is missing from the bucket or cannot be read; the message names it. */
public class ObjectNotReadableException extends ObjectStore.StorageException {
    public ObjectNotReadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
