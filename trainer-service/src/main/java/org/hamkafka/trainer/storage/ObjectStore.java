package org.hamkafka.trainer.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The S3 bucket that holds model snapshots, resume states and epoch checkpoints (MinIO in
 * production, an embedded S3 in tests). Keys are relative to the bucket {@code ham.s3.bucket}.
 */
@ApplicationScoped
public class ObjectStore {
    private final MinioClient client;
    private final String bucket;
    private volatile boolean bucketChecked;

    public ObjectStore(@ConfigProperty(name = "ham.s3.endpoint") String endpoint,
                       @ConfigProperty(name = "ham.s3.access-key") String accessKey,
                       @ConfigProperty(name = "ham.s3.secret-key") String secretKey,
                       @ConfigProperty(name = "ham.s3.bucket", defaultValue = "ham") String bucket,
                       @ConfigProperty(name = "ham.s3.region", defaultValue = "us-east-1") String region) {
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).region(region).build();
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /** True when the bucket exists and answers (readiness). */
    public boolean bucketReachable() throws Exception {
        return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
    }

    /** Creates the bucket when it is missing (first start against an empty MinIO). */
    public void ensureBucket() {
        if (bucketChecked) {
            return;
        }
        try {
            if (!bucketReachable()) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            bucketChecked = true;
        } catch (Exception e) {
            throw new StorageException("S3 bucket '" + bucket + "' is not reachable: " + e.getMessage(), e);
        }
    }

    /** Stores bytes under key and returns their sha256 (hex), which announcements carry. */
    public String put(String key, byte[] bytes, String contentType) {
        ensureBucket();
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(in, bytes.length, -1).contentType(contentType).build());
        } catch (Exception e) {
            throw new StorageException("could not write s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
        return sha256(bytes);
    }

    public byte[] get(String key) {
        try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        } catch (Exception e) {
            throw new StorageException("could not read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    public void delete(String key) {
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw new StorageException("could not delete s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    /** Keys under a prefix (recursive). */
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                keys.add(r.get().objectName());
            }
        } catch (Exception e) {
            throw new StorageException("could not list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
        return keys;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @PreDestroy
    void close() {
        try {
            // MinIO's OkHttp dispatcher would otherwise keep threads alive after shutdown
            client.close();
        } catch (Exception ignored) {
            // closing on shutdown; nothing left to do
        }
    }

    /** Object keys of a job (one place, so docs and code agree). */
    public static final class Keys {
        private Keys() {
        }

        public static String snapshot(String jobId, long version) {
            return "jobs/" + jobId + "/snapshots/" + version + ".npz";
        }

        public static String resumeState(String jobId, long step) {
            return "jobs/" + jobId + "/state/step-" + step + ".npz";
        }

        public static String checkpoint(String jobId, int epochOneBased) {
            return "jobs/" + jobId + "/checkpoints/epoch-" + epochOneBased + ".npz";
        }
    }

    /** Unchecked failure of an S3 operation, with the object named. */
    public static final class StorageException extends RuntimeException {
        public StorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

}
