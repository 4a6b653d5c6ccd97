package org.hamkafka.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import org.hamkafka.infra.EmbeddedS3;

/**
 * Points a {@code @QuarkusTest} at the JVM's S3 server ({@link SharedInfra#s3()}) and creates the
 * bucket. Returns {@code ham.s3.endpoint}, {@code ham.s3.access-key}, {@code ham.s3.secret-key},
 * {@code ham.s3.bucket}.
 *
 * <p>Init args: {@code bucket} (default {@code ham}); {@code quarkus-minio=true} also returns the
 * {@code quarkus.minio.*} keys of the Quarkiverse MinIO extension and switches its Dev Services off
 * (leave it off for a service without that extension, or Quarkus warns about unknown keys).
 */
public class S3Resource implements QuarkusTestResourceLifecycleManager {
    public static final String DEFAULT_BUCKET = "ham";

    private String bucket = DEFAULT_BUCKET;
    private boolean quarkusMinio;

    @Override
    public void init(Map<String, String> initArgs) {
        bucket = initArgs.getOrDefault("bucket", DEFAULT_BUCKET);
        quarkusMinio = Boolean.parseBoolean(initArgs.getOrDefault("quarkus-minio", "false"));
    }

    @Override
    public Map<String, String> start() {
        return config(bucket, quarkusMinio);
    }

    static Map<String, String> config(String bucket, boolean quarkusMinio) {
        EmbeddedS3 s3 = SharedInfra.s3();
        s3.createBucket(bucket);
        Map<String, String> config = new HashMap<>();
        config.put("ham.s3.endpoint", s3.endpoint());
        config.put("ham.s3.access-key", s3.accessKey());
        config.put("ham.s3.secret-key", s3.secretKey());
        config.put("ham.s3.bucket", bucket);
        if (quarkusMinio) {
            config.put("quarkus.minio.url", s3.endpoint());
            config.put("quarkus.minio.access-key", s3.accessKey());
            config.put("quarkus.minio.secret-key", s3.secretKey());
            config.put("quarkus.minio.devservices.enabled", "false");
        }
        return config;
    }

    /** The server stays up for the next test class; it is closed at JVM exit. */
    @Override
    public void stop() {
    }
}
