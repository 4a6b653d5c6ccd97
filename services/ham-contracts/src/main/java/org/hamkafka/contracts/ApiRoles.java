package org.hamkafka.contracts;

/**
 * Who may do what on the REST APIs of trainer-service, eval-service and attack-service: each call carries a
 * bearer JWT (RS256, issuer {@code ham.auth.issuer}, default {@value #DEFAULT_ISSUER}) whose {@code groups} claim
 * names its roles. Health ({@code /q/health}) and the API description ({@code /q/openapi}, {@code /q/swagger-ui})
 * need none.
 */
public final class ApiRoles {
    /** Submits and cancels jobs; reads everything a viewer reads. */
    public static final String OPERATOR = "ham-operator";
    /** Reads jobs, results, model cards, worker status and metrics. */
    public static final String VIEWER = "ham-viewer";
    /** The claim that carries the roles (MicroProfile JWT's). */
    public static final String GROUPS_CLAIM = "groups";
    public static final String DEFAULT_ISSUER = "ham-kafka";

    private ApiRoles() {
    }
}
