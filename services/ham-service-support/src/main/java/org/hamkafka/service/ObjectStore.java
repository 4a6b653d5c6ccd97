package org.hamkafka.service;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The S3 bucket {@code ham.s3.bucket} that holds model snapshots, resume states and epoch checkpoints (MinIO in
 * production, an embedded S3 in tests): the trainer writes, the attack and eval services read. Keys are relative
 * to the bucket; {@link Keys} is their layout.
 */
@ApplicationScoped
public class ObjectStore {
    private final MinioClient client;
    private final String bucket;
    private volatile boolean bucketChecked;

    public ObjectStore(S3Config config) {
        this.client = MinioClient.builder()
                .endpoint(config.endpoint())
                .credentials(config.accessKey(), config.secretKey())
                .region(config.region())
                .build();
        this.bucket = config.bucket();
    }

    public String bucket() {
        return bucket;
    }

    /** True when the bucket exists; throws when S3 does not answer or refuses our credentials (readiness). */
    public boolean bucketReachable() throws Exception {
        return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
    }

    /** Creates the bucket when it is missing (the trainer's first write against an empty MinIO). */
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

    /** Stores bytes under key (creating the bucket if needed) and returns their sha256 (hex), which announcements carry. */
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

        /** The description (architecture, data set, normalization) beside a weights object: x.npz → x.json. */
        public static String description(String weightsKey) {
            return (weightsKey.endsWith(".npz") ? weightsKey.substring(0, weightsKey.length() - 4) : weightsKey)
                    + ".json";
        }
    }

    /** Unchecked failure of an S3 operation, with the object named. */
    public static class StorageException extends RuntimeException {
        public StorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
