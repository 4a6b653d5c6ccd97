package org.hamkafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.hamkafka.infra.LocalAuth;

/**
 * The stack's secrets, one set per stack: the issuer of its API tokens (only the public key is written down,
 * in the run folder, where the services read it), the operator's token, and the key the trainer signs
 * checkpoint announcements with (never written down; eval-service checks it).
 */
final class StackAuth {
    private final Path outDir;
    private final LocalAuth auth = LocalAuth.generate();
    private final String operatorToken = auth.operatorToken(Duration.ofDays(7));
    private final String checkpointSigningKey = HexFormat.of().formatHex(randomBytes(32));
    private Path publicKey;
    private boolean tokenWritten;

    StackAuth(Path outDir) {
        this.outDir = outDir;
    }

    /** An operator's bearer token for the stack's REST APIs (submit, cancel, read), valid for a week. */
    String operatorToken() {
        return operatorToken;
    }

    /** The operator's token as a file in the run folder, readable by its owner only (written once). */
    synchronized Path tokenFile() throws IOException {
        Path f = outDir.resolve("api-token").toAbsolutePath();
        if (!tokenWritten) { // this stack's token, over an earlier run's
            Files.createDirectories(f.getParent());
            Files.deleteIfExists(f);
            Files.createFile(f);
            try {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the run folder's own permissions apply
            }
            Files.writeString(f, operatorToken + "\n");
            tokenWritten = true;
        }
        return f;
    }

    /** What every service is given: the signing key and where the API public key is. */
    Map<String, String> env() {
        return Map.of("HAM_CHECKPOINT_SIGNING_KEY", checkpointSigningKey,
                "HAM_AUTH_PUBLIC_KEY_LOCATION", publicKey().toString());
    }

    /** The API public key as a PEM file in the run folder (written once). */
    private synchronized Path publicKey() {
        if (publicKey == null) {
            try {
                publicKey = auth.writePublicKey(outDir.resolve("api-public-key.pem").toAbsolutePath());
            } catch (IOException e) {
                throw new UncheckedIOException("writing the stack's API public key", e);
            }
        }
        return publicKey;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
