package org.hamkafka.attack.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.errors.ErrorResponseException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;

/** Reads objects (model snapshots) from the configured S3 bucket. */
@ApplicationScoped
public class ObjectStore {
    private final MinioClient client;
    private final String bucket;

    public ObjectStore(S3Config config) {
        this.client = MinioClient.builder()
                .endpoint(config.endpoint())
                .credentials(config.accessKey(), config.secretKey())
                .region(config.region())
                .build();
        this.bucket = config.bucket();
    }

    /** The whole object; {@link ObjectNotReadableException} names the key when it is missing or unreadable. */
    public byte[] get(String key) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        } catch (ErrorResponseException e) {
            throw new ObjectNotReadableException("s3://" + bucket + "/" + key + ": "
                    + e.errorResponse().code() + " " + e.errorResponse().message(), e);
        } catch (IOException | java.security.GeneralSecurityException | io.minio.errors.MinioException e) {
            throw new ObjectNotReadableException("s3://" + bucket + "/" + key + " cannot be read: " + e, e);
        }
    }

    /** True when the bucket answers (readiness). */
    public boolean bucketReachable() throws Exception {
        return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
    }

    public String bucket() {
        return bucket;
    }

    @PreDestroy
    void close() throws Exception {
        // the client's OkHttp dispatcher would otherwise keep threads alive after shutdown
        client.close();
    }
}
