package org.hamkafka.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check "s3": up only when S3 answers with our credentials, since every service reads or writes models there. */
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
            // reachable with valid credentials is what readiness means; a missing bucket is created by the
            // deployment's bucket job or by the trainer's first write (ObjectStore.ensureBucket)
            return builder.up().withData("bucketExists", exists).build();
        } catch (Exception e) {
            return builder.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
