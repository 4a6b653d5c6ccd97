package org.hamkafka.eval.storage;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when S3 answers with our credentials: without it no checkpoint can be fetched. */
@Readiness
@ApplicationScoped
public class S3ReadinessCheck implements HealthCheck {
    private final ObjectStore store;

    public S3ReadinessCheck(ObjectStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("s3").withData("bucket", store.bucket());
        try {
            boolean exists = store.bucketReachable();
            // reachable with valid credentials is what readiness means; a missing bucket is created by the trainer
            return builder.up().withData("bucketExists", exists).build();
        } catch (Exception e) {
            return builder.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
