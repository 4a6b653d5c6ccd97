package org.hamkafka.contracts;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The trainer's signature on a {@link CheckpointAnnouncement}: hex HMAC-SHA256, under a key the trainer and
 * the evaluators share ({@code ham.checkpoint.signing-key}), of the fields that say whose weights these are
 * and where they lie — job id, epoch, object key, sha256, architecture, data set, method and eps, one per
 * line (UTF-8, {@code \n} between them, none after). Since version 2 eps is written as its IEEE-754 float32 bits,
 * 8 lowercase hex digits, big-endian ({@code 3dcccccd} for 0.1: Python {@code struct.pack(">f", eps).hex()}), which
 * every language rebuilds; version 1 wrote Java's {@code Float.toString}, and a version 1 announcement is still
 * verified that way. The sha256 pins the bytes, so neither another job's weights under this job's key nor this job's
 * announcement replayed for another epoch verifies. The evaluation settings are not signed: they change
 * what is measured, not whose model it is.
 */
public final class CheckpointSignature {
    private static final String ALGORITHM = "HmacSHA256";
    /** RFC 2104: a key shorter than the hash's output (32 bytes for SHA-256) weakens the MAC. */
    public static final int MIN_KEY_BYTES = 32;

    private CheckpointSignature() {
    }

    public static String sign(byte[] key, CheckpointAnnouncement a) {
        checkKey(key);
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(signedText(a).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no " + ALGORITHM, e);
        }
    }

    /** Null when {@code a} carries a valid signature under {@code key}, else why not. */
    public static String problem(byte[] key, CheckpointAnnouncement a) {
        if (a.signature() == null || a.signature().isBlank()) {
            return "the announcement is not signed (signature missing): not announced by a trainer that holds the "
                    + "checkpoint signing key";
        }
        byte[] expected = sign(key, a).getBytes(StandardCharsets.US_ASCII);
        byte[] given = a.signature().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        // constant time: the comparison must not tell a forger how many leading characters were right
        return MessageDigest.isEqual(expected, given) ? null
                : "the announcement's signature does not match its job, epoch, key and sha256: forged, altered, or "
                + "signed with another key";
    }

    /** The key from its configured text (UTF-8), refused when too short to be a secret. */
    public static byte[] key(String configured) {
        byte[] k = configured == null ? new byte[0] : configured.getBytes(StandardCharsets.UTF_8);
        checkKey(k);
        return k;
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("ham.checkpoint.signing-key must be at least " + MIN_KEY_BYTES
                    + " bytes; got " + (key == null ? 0 : key.length));
        }
    }

    static String signedText(CheckpointAnnouncement a) {
        String eps = a.schemaVersion() >= SchemaVersion.CHECKPOINT
                ? String.format("%08x", Float.floatToIntBits(a.eps())) : Float.toString(a.eps());
        return String.join("\n", a.jobId(), Integer.toString(a.epoch()), a.objectKey(), a.sha256(), a.arch(),
                a.dataset(), a.method(), eps);
    }
}
