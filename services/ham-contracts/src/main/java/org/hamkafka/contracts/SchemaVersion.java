package org.hamkafka.contracts;

/**
 * The message schema version. Adding an optional field keeps the version (consumers ignore fields
 * they do not know); removing or renaming a field, or changing its type or meaning, bumps it.
 */
public final class SchemaVersion {
    /** The version every record of this module writes, except {@link EvalResult}, the tensor messages and checkpoints. */
    public static final int CURRENT = 1;
    /**
     * {@link CheckpointAnnouncement}'s version: 2 since its {@code signature} is over a text any language rebuilds
     * (eps as its float32 bits; {@link CheckpointSignature}). Version 1, signed over Java's {@code Float.toString},
     * is still read and verified as it was signed.
     */
    public static final int CHECKPOINT = 2;
    /**
     * {@link EvalResult}'s version: 2 since AutoAttack (the headline became the worst case over all attacks,
     * {@code other_robust} became {@code robust_by_attack} with {@code attacks}). Version 1 is still read.
     */
    public static final int EVAL_RESULT = 2;
    /**
     * The version of the messages that carry tensors or snapshot bytes ({@link AttackRequest}, {@link AttackResult},
     * {@link ModelSnapshot}): 2 since they travel as a binary {@link Envelope} (a JSON header, then the raw
     * {@code .npy} bytes), the fields unchanged. Their version 1, {@link #JSON_TENSORS}, is still read, and a record
     * of that version is still written in that form (an attack worker answers a version 1 request in kind).
     */
    public static final int BINARY = 2;
    /** Version 1 of the tensor messages: JSON, each tensor base64 of gzip of {@code .npy}, {@code npz} base64. */
    public static final int JSON_TENSORS = 1;

    /** The version {@link Codec} writes for a record type (and reads; see {@link #carriesTensors} for version 1). */
    public static int of(Class<? extends Versioned> type) {
        return type == EvalResult.class ? EVAL_RESULT : carriesTensors(type) ? BINARY
                : type == CheckpointAnnouncement.class ? CHECKPOINT : CURRENT;
    }

    /** The types that carry tensors or snapshot bytes, written as a binary envelope at {@link #BINARY}. */
    public static boolean carriesTensors(Class<?> type) {
        return type == AttackRequest.class || type == AttackResult.class || type == ModelSnapshot.class;
    }

    private SchemaVersion() {
    }
}
