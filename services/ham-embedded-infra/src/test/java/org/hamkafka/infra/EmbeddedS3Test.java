package org.hamkafka.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedS3Test {

    private static void put(MinioClient c, String bucket, String key, byte[] data) throws Exception {
        c.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1).build());
    }

    private static byte[] get(MinioClient c, String bucket, String key) throws Exception {
        try (GetObjectResponse in = c.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }

    @Test
    void putGetListThroughTheMinioClient() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.inMemory().start()) {
            assertTrue(s3.endpoint().startsWith("http://127.0.0.1:"), s3.endpoint());
            s3.createBucket("ham");
            s3.createBucket("ham"); // again: no error
            byte[] weights = new byte[300_000];
            new java.util.Random(1).nextBytes(weights);
            try (MinioClient c = s3.newClient()) {
                put(c, "ham", "jobs/j1/models/1.npz", weights);
                put(c, "ham", "jobs/j1/models/2.npz", new byte[]{42});
                put(c, "ham", "jobs/j2/models/1.npz", new byte[]{7});
                assertArrayEquals(weights, get(c, "ham", "jobs/j1/models/1.npz"));
                List<String> keys = new ArrayList<>();
                for (Result<Item> r : c.listObjects(ListObjectsArgs.builder().bucket("ham")
                        .prefix("jobs/j1/").recursive(true).build())) {
                    keys.add(r.get().objectName());
                }
                assertEquals(List.of("jobs/j1/models/1.npz", "jobs/j1/models/2.npz"), keys);
                ErrorResponseException missing = assertThrows(ErrorResponseException.class,
                        () -> get(c, "ham", "jobs/none.npz"));
                assertEquals("NoSuchKey", missing.errorResponse().code());
            }
        }
    }

    @Test
    void wrongCredentialsAreRefused() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.inMemory().start();
             MinioClient wrong = MinioClient.builder().endpoint(s3.endpoint()).region(EmbeddedS3.REGION)
                     .credentials(s3.accessKey(), "not-the-secret").build()) {
            s3.createBucket("ham");
            ErrorResponseException e = assertThrows(ErrorResponseException.class,
                    () -> put(wrong, "ham", "x", new byte[]{1}));
            assertEquals("SignatureDoesNotMatch", e.errorResponse().code());
        }
    }

    @Test
    void onDiskStoreKeepsObjectsAsFiles(@TempDir Path dir) throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.onDisk(dir, 0).start(); MinioClient c = s3.newClient()) {
            s3.createBucket("ham");
            put(c, "ham", "a/b.bin", new byte[]{1, 2, 3});
        }
        assertTrue(Files.isDirectory(dir.resolve("ham")), "bucket directory under " + dir);
        try (EmbeddedS3 again = EmbeddedS3.onDisk(dir, 0).start(); MinioClient c = again.newClient()) {
            assertArrayEquals(new byte[]{1, 2, 3}, get(c, "ham", "a/b.bin"));
        }
    }
}
