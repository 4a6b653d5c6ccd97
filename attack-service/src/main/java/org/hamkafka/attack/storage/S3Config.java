package org.hamkafka.attack.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where model snapshots live: an S3 endpoint (MinIO in deployments) and the bucket. */
@ConfigMapping(prefix = "ham.s3")
public interface S3Config {
    /** e.g. http://minio:9000 */
    String endpoint();

    String accessKey();

    String secretKey();

    @WithDefault("ham")
    String bucket();

    /** Region sent in signatures; MinIO accepts any. */
    @WithDefault("us-east-1")
    String region();
}
