package org.hamkafka.local;

/** A service of the local stack failed to start or became unhealthy; the message names its log file. */
public class ServiceFailedException extends RuntimeException {
    public ServiceFailedException(String message) {
        super(message);
    }
}
