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
        // 0.1f is 0x3dcccccd: sign 0, exponent 123 (0x7b), mantissa 0x4ccccd
        assertEquals("job-1\n3\njobs/job-1/checkpoints/3.npz\n" + "cd".repeat(32) + "\nsmallcnn\nfashion-mnist\nham\n3dcccccd",
                CheckpointSignature.signedText(a));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(CheckpointSignature.signedText(a)
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, a.signedWith(KEY).signature());
        assertEquals(64, expected.length());
    }

    @Test
    void anotherLanguageSignsTheSameText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // docs/contracts.md's recipe in Python's standard library, on an eps whose Float.toString ("1.0E-4") no other
        // language writes the same way
        CheckpointAnnouncement a = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, "job-7", 2, "jobs/job-7/c.npz",
                "ef".repeat(32), "preact-resnet18", "cifar10", 1e-4f, "pgd-at", java.time.Instant.EPOCH);
        java.nio.file.Path py = java.nio.file.Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(py), "no " + py);
        String program = """
                import hmac, hashlib, struct, sys
                job, epoch, key, sha, arch, data, method, eps, secret = sys.argv[1:]
                text = "\\n".join([job, epoch, key, sha, arch, data, method, struct.pack(">f", float(eps)).hex()])
                print(hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest())
                """;
        java.nio.file.Files.writeString(dir.resolve("sign.py"), program);
        Process p = new ProcessBuilder(py.toString(), dir.resolve("sign.py").toString(), a.jobId(),
                Integer.toString(a.epoch()), a.objectKey(), a.sha256(), a.arch(), a.dataset(), a.method(), "0.0001",
                new String(KEY, StandardCharsets.UTF_8)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(a.signedWith(KEY).signature(), out);
    }

    @Test
    void aVersionOneAnnouncementIsStillVerifiedAsItWasSigned() {
        CheckpointAnnouncement v2 = Samples.checkpoint();
        CheckpointAnnouncement v1 = new CheckpointAnnouncement(SchemaVersion.CURRENT, v2.jobId(), v2.epoch(),
                v2.objectKey(), v2.sha256(), v2.arch(), v2.dataset(), v2.eps(), v2.method(), v2.createdAt());
        assertTrue(CheckpointSignature.signedText(v1).endsWith("\nham\n0.1"), "version 1: Java's Float.toString");
        CheckpointAnnouncement read = Codec.fromBytes(Codec.toBytes(v1.signedWith(KEY)), CheckpointAnnouncement.class);
        assertEquals(SchemaVersion.CURRENT, read.schemaVersion());
        assertNull(CheckpointSignature.problem(KEY, read));
        // the same signature on a version 2 announcement is over another text
        CheckpointAnnouncement relabelled = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, read.jobId(), read.epoch(),
                read.objectKey(), read.sha256(), read.arch(), read.dataset(), read.eps(), read.method(), read.createdAt(),
                null, null, read.signature());
        assertTrue(CheckpointSignature.problem(KEY, relabelled) != null);
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
