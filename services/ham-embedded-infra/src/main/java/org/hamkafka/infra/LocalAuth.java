package org.hamkafka.infra;

import org.hamkafka.contracts.ApiRoles;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A local issuer of API tokens: an RSA key pair of its own (made per run, or read from a development key file),
 * the public half written where the services read it ({@code HAM_AUTH_PUBLIC_KEY_LOCATION}), bearer JWTs signed
 * with the private half (RS256, {@link ApiRoles#DEFAULT_ISSUER}, roles in {@code groups}). For the local stack and
 * the tests only: a deployment verifies tokens of its own identity provider.
 */
public final class LocalAuth {
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private LocalAuth(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A fresh key pair, never written down but for its public half. */
    public static LocalAuth generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair kp = g.generateKeyPair();
            return new LocalAuth(kp.getPrivate(), kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is required of every Java runtime", e);
        }
    }

    /** The pair of a PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}), e.g. compose's development key. */
    public static LocalAuth fromPrivateKeyPem(String pem) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PrivateKey priv = rsa.generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
            var crt = (java.security.interfaces.RSAPrivateCrtKey) priv;
            PublicKey pub = rsa.generatePublic(new java.security.spec.RSAPublicKeySpec(crt.getModulus(),
                    crt.getPublicExponent()));
            return new LocalAuth(priv, pub);
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PKCS#8 RSA private key in PEM: " + e.getMessage(), e);
        }
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}), what {@code mp.jwt.verify.publickey.location} reads. */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    public String privateKeyPem() {
        return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    /** Writes the public key to {@code file} (for the services); returns the file. */
    public Path writePublicKey(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, publicKeyPem(), StandardCharsets.US_ASCII);
        return file;
    }

    /** A bearer token for {@code subject} with {@code roles}, valid for {@code ttl}. */
    public String token(String subject, Duration ttl, String... roles) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ApiRoles.DEFAULT_ISSUER);
        claims.setSubject(subject);
        claims.setClaim("upn", subject);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(Math.max(1, ttl.toMinutes()));
        claims.setStringListClaim(ApiRoles.GROUPS_CLAIM, List.of(roles));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(privateKey);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("signing a token: " + e.getMessage(), e);
        }
    }

    /** An operator's token (submit, cancel, read) for {@code ttl}. */
    public String operatorToken(Duration ttl) {
        return token("local-operator", ttl, ApiRoles.OPERATOR);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int a = pem.indexOf(begin);
        int b = pem.indexOf(end);
        if (a < 0 || b < a) {
            throw new IllegalArgumentException("no " + begin + " … " + end + " block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b));
    }
}
