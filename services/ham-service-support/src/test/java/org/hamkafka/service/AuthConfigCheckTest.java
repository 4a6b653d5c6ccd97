package org.hamkafka.service;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthConfigCheckTest {
    @Test
    void aServiceWithoutTheTokensKeyDoesNotStartSayingWhatToSetExceptInLocalDevelopment() {
        for (String missing : new String[]{null, "", "  "}) {
            String p = AuthConfigCheck.problem(LaunchMode.NORMAL, missing, "ham-kafka");
            assertTrue(p != null && p.contains("HAM_AUTH_PUBLIC_KEY_LOCATION") && p.contains("ham-operator"), p);
            assertTrue(AuthConfigCheck.problem(LaunchMode.TEST, missing, "ham-kafka") != null, "tests set the test key");
            assertNull(AuthConfigCheck.problem(LaunchMode.DEVELOPMENT, missing, ""), "quarkus:dev has no authentication");
        }
        assertNull(AuthConfigCheck.problem(LaunchMode.NORMAL, "/etc/ham/public.pem", "ham-kafka"));
        assertNull(AuthConfigCheck.problem(LaunchMode.NORMAL,
                "https://idp.example/realms/ham/protocol/openid-connect/certs", "https://idp.example/realms/ham"));
        // the Kubernetes base's placeholders, applied as they are, stop the service with the reason
        String p = AuthConfigCheck.problem(LaunchMode.NORMAL, "REPLACE_ME", "REPLACE_ME");
        assertTrue(p != null && p.contains("still say REPLACE_ME"), p);
        assertTrue(AuthConfigCheck.problem(LaunchMode.NORMAL, "/etc/ham/public.pem", "REPLACE_ME") != null);
    }
}
