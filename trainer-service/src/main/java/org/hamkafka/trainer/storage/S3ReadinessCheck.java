package org.hamkafka.trainer.storage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the S3 bucket of snapshots and checkpoints answers. */
@Readiness
@ApplicationScoped
public class S3ReadinessCheck implements HealthCheck {
    @Inject
    ObjectStore store;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("s3").withData("bucket", store.bucket());
        try {
            return store.bucketReachable() ? b.up().build() : b.down().withData("error", "bucket does not exist").build();
        } catch (Exception e) {
            return b.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
