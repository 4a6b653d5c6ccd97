package org.hamkafka.contracts;

/**
 * The message schema version. Adding an optional field keeps the version (consumers ignore fields
 * they do not know); removing or renaming a field, or changing its type or meaning, bumps it.
 */
public final class SchemaVersion {
    /** The version every record of this module writes, except {@link EvalResult}. */
    public static final int CURRENT = 1;
    /**
     * {@link EvalResult}'s version: 2 since AutoAttack (the headline became the worst case over all attacks,
     * {@code other_robust} became {@code robust_by_attack} with {@code attacks}). Version 1 is still read.
     */
    public static final int EVAL_RESULT = 2;

    /** The version {@link Codec} writes and reads for a record type. */
    public static int of(Class<? extends Versioned> type) {
        return type == EvalResult.class ? EVAL_RESULT : CURRENT;
    }

    private SchemaVersion() {
    }
}
