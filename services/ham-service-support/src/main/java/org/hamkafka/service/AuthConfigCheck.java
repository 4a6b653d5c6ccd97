package org.hamkafka.service;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A service without the key its bearer tokens are verified with would answer every call 401 and look healthy:
 * it refuses to start instead, saying what to set. Local development mode ({@code quarkus:dev}) has no
 * authentication and needs none.
 */
@ApplicationScoped
public class AuthConfigCheck {
    static final String PLACEHOLDER = PlaceholderCheck.PLACEHOLDER;

    void onStart(@Observes StartupEvent event,
                 @ConfigProperty(name = "mp.jwt.verify.publickey.location", defaultValue = "") String location,
                 @ConfigProperty(name = "mp.jwt.verify.issuer", defaultValue = "") String issuer) {
        String problem = problem(LaunchMode.current(), location, issuer);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Null when the service may start, else why not. */
    static String problem(LaunchMode mode, String location, String issuer) {
        if (mode == LaunchMode.DEVELOPMENT) {
            return null;
        }
        if (PLACEHOLDER.equals(location) || PLACEHOLDER.equals(issuer)) {
            return "HAM_AUTH_PUBLIC_KEY_LOCATION / HAM_AUTH_ISSUER still say " + PLACEHOLDER + " (deploy/base/config.yaml): "
                    + "set them to your identity provider's JWKS URL (or public key file) and issuer";
        }
        if (location != null && !location.isBlank()) {
            return null;
        }
        return "HAM_AUTH_PUBLIC_KEY_LOCATION (mp.jwt.verify.publickey.location) is not set: the REST APIs take bearer "
                + "JWTs (roles ham-operator / ham-viewer in the 'groups' claim, issuer HAM_AUTH_ISSUER, default "
                + "ham-kafka); set it to the PEM file or JWKS URL of the public key that signs them";
    }
}
