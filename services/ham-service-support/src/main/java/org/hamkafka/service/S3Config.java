package org.hamkafka.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code ham.s3.*} settings: the S3 endpoint (MinIO in deployments) and the bucket of snapshots and checkpoints. */
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
