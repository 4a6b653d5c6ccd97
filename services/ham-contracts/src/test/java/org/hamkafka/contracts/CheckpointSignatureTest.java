package org.hamkafka.contracts;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointSignatureTest {
    static final byte[] KEY = "a-test-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8);

    static CheckpointAnnouncement with(String job, int epoch, String key, String sha) {
        CheckpointAnnouncement a = Samples.checkpoint();
        return new CheckpointAnnouncement(a.schemaVersion(), job, epoch, key, sha, a.arch(), a.dataset(), a.eps(),
                a.method(), a.createdAt(), a.evalAttacks(), a.testSubset(), null);
    }

    /** RFC 2104 HMAC-SHA256 of the signed text, worked out independently with the JDK's Mac on the raw text. */
    @Test
    void signatureIsHmacSha256OfTheIdentifyingFieldsOneALine() throws Exception {
        CheckpointAnnouncement a = Samples.checkpoint();
        assertEquals("job-1\n3\njobs/job-1/checkpoints/3.npz\n" + "cd".repeat(32) + "\nsmallcnn\nfashion-mnist\nham\n0.1",
                CheckpointSignature.signedText(a));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(CheckpointSignature.signedText(a)
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, a.signedWith(KEY).signature());
        assertEquals(64, expected.length());
    }

    @Test
    void onlyTheSignedAnnouncementUnderTheSameKeyVerifies() {
        CheckpointAnnouncement a = Samples.checkpoint();
        CheckpointAnnouncement signed = a.signedWith(KEY);
        assertNull(CheckpointSignature.problem(KEY, signed));
        // the signature survives the wire
        assertNull(CheckpointSignature.problem(KEY, Codec.fromBytes(Codec.toBytes(signed), CheckpointAnnouncement.class)));
        assertTrue(CheckpointSignature.problem(KEY, a).contains("not signed"));
        byte[] other = "another-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8);
        assertTrue(CheckpointSignature.problem(other, signed).contains("does not match"));

        // each identifying field, changed under the same signature, fails: other weights, another job, epoch or key
        String sig = signed.signature();
        for (CheckpointAnnouncement forged : List.of(with("job-1", 3, a.objectKey(), "ab".repeat(32)),
                with("job-2", 3, a.objectKey(), a.sha256()), with("job-1", 9, a.objectKey(), a.sha256()),
                with("job-1", 3, "jobs/job-1/checkpoints/epoch-9.npz", a.sha256()))) {
            CheckpointAnnouncement replayed = new CheckpointAnnouncement(forged.schemaVersion(), forged.jobId(),
                    forged.epoch(), forged.objectKey(), forged.sha256(), forged.arch(), forged.dataset(), forged.eps(),
                    forged.method(), forged.createdAt(), null, null, sig);
            assertTrue(CheckpointSignature.problem(KEY, replayed) != null, "verified a forgery: " + forged);
        }
    }

    @Test
    void aShortKeyIsRefusedByItsSettingsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointSignature.key("short"));
        assertTrue(e.getMessage().contains("ham.checkpoint.signing-key") && e.getMessage().contains("32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CheckpointSignature.key(null));
    }
}
