package org.hamkafka.service;

/**
 * What a job id from outside (a URL path, a query) must look like before it reaches the database:
 * PostgreSQL's text cannot hold a NUL byte ("invalid byte sequence" became an HTTP 500), and no job
 * id is longer than this. Anything else is simply no such job.
 */
public final class JobIds {
    /** Longer than any id the trainer makes (a UUID is 36) or a record key would carry. */
    public static final int MAX_LENGTH = 128;

    private JobIds() {
    }

    public static boolean plausible(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        return id.chars().noneMatch(Character::isISOControl);
    }
}
