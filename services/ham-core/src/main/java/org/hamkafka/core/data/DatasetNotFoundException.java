package org.hamkafka.core.data;

import java.nio.file.Path;

/** A data set's files are not where they were looked for; the message says where and how to get them. */
public class DatasetNotFoundException extends IllegalArgumentException {
    private final String dataset;
    private final Path expectedPath;

    public DatasetNotFoundException(String dataset, Path expectedPath, String hint) {
        super("data set " + dataset + " not found: expected " + expectedPath
                + (hint == null || hint.isEmpty() ? "" : ". " + hint));
        this.dataset = dataset;
        this.expectedPath = expectedPath;
    }

    public String dataset() {
        return dataset;
    }

    public Path expectedPath() {
        return expectedPath;
    }
}
