package org.hamkafka.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalInfraTest {

    @Test
    void startsAllThreeAndClosesThem() throws Exception {
        LocalInfra infra = LocalInfra.onFreePorts().start();
        try {
            infra.kafka().createTopics(Map.of("ham.models", 1));
            assertTrue(infra.kafka().topics().contains("ham.models"));
            try (MinioClient c = infra.s3().newClient()) {
                assertTrue(c.bucketExists(BucketExistsArgs.builder().bucket(LocalInfra.DEFAULT_BUCKET).build()));
            }
            try (Connection c = infra.postgres().connect()) {
                assertTrue(c.isValid(5));
            }
        } finally {
            infra.close();
        }
        assertFalse(infra.kafka().isRunning());
        assertFalse(infra.s3().isRunning());
        assertFalse(infra.postgres().isRunning());
        assertThrows(IllegalStateException.class, () -> infra.s3().endpoint());
        infra.close(); // idempotent
    }
}
