package org.hamkafka.infra;

import org.hamkafka.contracts.ApiRoles;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalAuthTest {
    @Test
    void itsTokensVerifyWithTheWrittenPublicKeyAndCarryIssuerAndRoles(@TempDir Path dir) throws Exception {
        LocalAuth auth = LocalAuth.generate();
        Path pem = auth.writePublicKey(dir.resolve("keys/public.pem"));
        String token = auth.token("alice", Duration.ofMinutes(30), ApiRoles.VIEWER);
        JwtClaims claims = consumer(readPublicKey(Files.readString(pem))).processToClaims(token);
        assertEquals(ApiRoles.DEFAULT_ISSUER, claims.getIssuer());
        assertEquals("alice", claims.getSubject());
        assertEquals(List.of(ApiRoles.VIEWER), claims.getStringListClaimValue(ApiRoles.GROUPS_CLAIM));
        // another pair's key does not verify it
        assertThrows(InvalidJwtException.class,
                () -> consumer(readPublicKey(LocalAuth.generate().publicKeyPem())).processToClaims(token));
    }

    @Test
    void aPrivateKeyReadFromPemSignsWhatTheSamePublicKeyVerifies() throws Exception {
        LocalAuth original = LocalAuth.generate();
        LocalAuth read = LocalAuth.fromPrivateKeyPem(original.privateKeyPem());
        assertEquals(original.publicKeyPem(), read.publicKeyPem());
        String token = read.operatorToken(Duration.ofMinutes(5));
        assertEquals(List.of(ApiRoles.OPERATOR), consumer(readPublicKey(original.publicKeyPem())).processToClaims(token)
                .getStringListClaimValue(ApiRoles.GROUPS_CLAIM));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalAuth.fromPrivateKeyPem(original.publicKeyPem()));
        assertEquals("not a PKCS#8 RSA private key in PEM: no -----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY----- block",
                e.getMessage());
    }

    @Test
    void theDevTokenScriptsTokensVerifyAsTheServicesVerifyThem(@TempDir Path dir) throws Exception {
        // scripts/dev-token.sh signs with openssl alone; its token must pass the same checks as LocalAuth's
        LocalAuth auth = LocalAuth.generate();
        Path key = Files.writeString(dir.resolve("private.pem"), auth.privateKeyPem());
        Path script = Path.of("../../scripts/dev-token.sh").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("bash", script.toString(), "--key", key.toString(), "--role", "ham-viewer",
                "--hours", "2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        JwtClaims claims = consumer(readPublicKey(auth.publicKeyPem())).processToClaims(out);
        assertEquals(List.of(ApiRoles.VIEWER), claims.getStringListClaimValue(ApiRoles.GROUPS_CLAIM));
        long hours = (claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()) / 3600;
        assertEquals(2, hours);
        Process bad = new ProcessBuilder("bash", script.toString(), "--role", "root").redirectErrorStream(true).start();
        String refused = new String(bad.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, bad.waitFor(), refused);
        assertEquals("dev-token: --role is ham-operator or ham-viewer, got 'root'", refused.strip());
    }

    private static JwtConsumer consumer(PublicKey key) {
        return new JwtConsumerBuilder().setVerificationKey(key).setExpectedIssuer(ApiRoles.DEFAULT_ISSUER)
                .setRequireExpirationTime().setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256).build();
    }

    private static PublicKey readPublicKey(String pem) throws Exception {
        String b64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(b64)));
    }
}
