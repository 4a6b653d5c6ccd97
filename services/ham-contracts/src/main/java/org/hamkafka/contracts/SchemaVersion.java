package org.hamkafka.contracts;

/**
 * The message schema version. Adding an optional field keeps the version (consumers ignore fields
 * they do not know); removing or renaming a field, or changing its type or meaning, bumps it.
 */
public final class SchemaVersion {
    /** The version every record of this module writes and the only one {@link Codec} reads. */
    public static final int CURRENT = 1;

    private SchemaVersion() {
    }
}
