package org.hamkafka.contracts;

/** A message record: it carries the schema version it was written under. */
public interface Versioned {
    int schemaVersion();
}
