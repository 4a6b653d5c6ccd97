package org.hamkafka.infra;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;

/**
 * An S3-compatible server (S3Proxy) inside this JVM, for the MinIO client and any S3 SDK. Objects
 * live in memory ({@link #inMemory()}) or under a directory ({@link #onDisk(Path)}). Requests must be
 * signed (AWS signature V2 or V4) with {@link #accessKey()} / {@link #secretKey()}.
 */
public final class EmbeddedS3 implements AutoCloseable {
    /** LOCAL DEVELOPMENT ONLY: the credentials of the embedded server; never use them elsewhere. */
    public static final String DEV_ACCESS_KEY = "ham-local-dev-access-key";
    /** LOCAL DEVELOPMENT ONLY: see {@link #DEV_ACCESS_KEY}. */
    public static final String DEV_SECRET_KEY = "ham-local-dev-secret-key-not-a-secret";
    /** The region the MinIO client is told to use (S3Proxy accepts any). */
    public static final String REGION = "us-east-1";

    private final Path baseDir;
    private final int requestedPort;
    private final String accessKey;
    private final String secretKey;
    private S3Proxy proxy;

    private EmbeddedS3(Path baseDir, int port, String accessKey, String secretKey) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + port);
        }
        this.baseDir = baseDir;
        this.requestedPort = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Objects in memory, any free port, the local dev credentials. */
    public static EmbeddedS3 inMemory() {
        return new EmbeddedS3(null, 0, DEV_ACCESS_KEY, DEV_SECRET_KEY);
    }

    /** Objects in memory on a fixed port (0 = any free port). */
    public static EmbeddedS3 inMemory(int port) {
        return new EmbeddedS3(null, port, DEV_ACCESS_KEY, DEV_SECRET_KEY);
    }

    /** Objects as files under {@code baseDir} (one directory per bucket), kept after close. */
    public static EmbeddedS3 onDisk(Path baseDir, int port) {
        if (baseDir == null) {
            throw new IllegalArgumentException("baseDir must not be null");
        }
        return new EmbeddedS3(baseDir.toAbsolutePath(), port, DEV_ACCESS_KEY, DEV_SECRET_KEY);
    }

    /** Starts the server and waits until it accepts requests. Idempotent. */
    public synchronized EmbeddedS3 start() {
        if (proxy != null) {
            return this;
        }
        Properties props = new Properties();
        String provider = "transient";
        if (baseDir != null) {
            provider = "filesystem";
            props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
            baseDir.toFile().mkdirs();
        }
        S3Proxy p = S3Proxy.builder()
                .blobStore(BlobStores.create(provider, props))
                .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        try {
            p.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(p.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("state is still " + p.getState() + " after 30 s");
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            try {
                p.stop();
            } catch (Exception ignored) {
                // already failing; the start error is the one to report
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("embedded S3 (S3Proxy) failed to start on port " + requestedPort
                    + ": " + e.getMessage(), e);
        }
        proxy = p;
        return this;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public synchronized String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public synchronized int port() {
        if (proxy == null) {
            throw new IllegalStateException("embedded S3 is not started; call start() first");
        }
        return proxy.getPort();
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** A MinIO client for this server. Close it when done (its HTTP dispatcher holds threads). */
    public MinioClient newClient() {
        return MinioClient.builder().endpoint(endpoint()).region(REGION).credentials(accessKey, secretKey).build();
    }

    /** Creates the bucket unless it exists. */
    public void createBucket(String name) {
        try (MinioClient client = newClient()) {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(name).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(name).build());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create bucket " + name + ": " + e.getMessage(), e);
        }
    }

    public synchronized boolean isRunning() {
        return proxy != null;
    }

    /** Stops the server; in-memory objects are gone. Idempotent. */
    @Override
    public synchronized void close() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("embedded S3 failed to stop cleanly: " + e.getMessage(), e);
        } finally {
            proxy = null;
        }
    }
}
