package org.hamkafka.trainer.rest;

/** No job with this id: answered with 404. */
public class JobNotFoundException extends RuntimeException {
    public JobNotFoundException(String id) {
        super("no job with id '" + id + "'");
    }
}
