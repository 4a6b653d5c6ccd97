package org.hamkafka.testsupport;

import org.hamkafka.contracts.ApiRoles;
import org.hamkafka.infra.LocalAuth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Bearer tokens for the Quarkus tests, signed with the test-only key pair in {@code ham-test-auth/} that the
 * services verify under {@code %test} (see its README: not a secret).
 */
public final class TestTokens {
    private static final LocalAuth AUTH = load();
    private static final Duration TTL = Duration.ofHours(2);

    private TestTokens() {
    }

    /** {@code Bearer <token>} of an operator (submit, cancel, read). */
    public static String operator() {
        return "Bearer " + AUTH.token("test-operator", TTL, ApiRoles.OPERATOR);
    }

    /** {@code Bearer <token>} of a viewer (read only). */
    public static String viewer() {
        return "Bearer " + AUTH.token("test-viewer", TTL, ApiRoles.VIEWER);
    }

    /** {@code Bearer <token>} signed by a key the services do not know. */
    public static String forged() {
        return "Bearer " + LocalAuth.generate().token("intruder", TTL, ApiRoles.OPERATOR);
    }

    private static LocalAuth load() {
        try (InputStream in = TestTokens.class.getClassLoader().getResourceAsStream("ham-test-auth/private.pem")) {
            if (in == null) {
                throw new IllegalStateException("ham-test-auth/private.pem is not on the class path");
            }
            return LocalAuth.fromPrivateKeyPem(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
