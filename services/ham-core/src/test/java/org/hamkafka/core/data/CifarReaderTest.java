package org.hamkafka.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CifarReaderTest {
    @TempDir
    Path tmp;

    /** Pixel byte of example {@code id}, channel c, row h, column w: distinct across planes. */
    static int value(int id, int c, int h, int w) {
        return (id * 31 + c * 101 + h * 7 + w * 3) & 0xFF;
    }

    /** One record: label bytes then R plane, G plane, B plane. */
    static byte[] record(int id, int... labelBytes) {
        byte[] r = new byte[labelBytes.length + 3072];
        for (int i = 0; i < labelBytes.length; i++) {
            r[i] = (byte) labelBytes[i];
        }
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 32; h++) {
                for (int w = 0; w < 32; w++) {
                    r[labelBytes.length + c * 1024 + h * 32 + w] = (byte) value(id, c, h, w);
                }
            }
        }
        return r;
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int k = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    static void assertImage(Dataset d, int index, int id) {
        float[] img = d.image(index);
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 32; h++) {
                for (int w = 0; w < 32; w++) {
                    assertEquals(value(id, c, h, w) / 255f, img[c * 1024 + h * 32 + w], 0f,
                            "example " + index + " c" + c + " h" + h + " w" + w);
                }
            }
        }
    }

    @Test
    void cifar10ReadsBatchesInOrder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar10").resolve("cifar-10-batches-bin"));
        // batch b holds examples 2(b-1) and 2(b-1)+1 with labels (id % 10)
        for (int b = 1; b <= 5; b++) {
            int id0 = 2 * (b - 1);
            Files.write(dir.resolve("data_batch_" + b + ".bin"), concat(record(id0, id0 % 10), record(id0 + 1, (id0 + 1) % 10)));
        }
        Files.write(dir.resolve("test_batch.bin"), concat(record(100, 3)));

        Dataset train = Datasets.load("cifar10", tmp.resolve("cifar10"), true);
        assertEquals(10, train.size());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, train.labels());
        for (int i = 0; i < 10; i++) {
            assertImage(train, i, i);
        }
        Dataset test = CifarReader.readCifar10(dir, false); // the batches folder itself also works
        assertArrayEquals(new int[]{3}, test.labels());
        assertImage(test, 0, 100);
        assertEquals("cat", test.info().classNames().get(3));
    }

    @Test
    void cifar100UsesTheFineLabel() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar-100-binary"));
        Files.write(dir.resolve("train.bin"), concat(record(5, 19, 99), record(6, 0, 42), record(7, 3, 0)));
        Files.write(dir.resolve("test.bin"), concat(record(8, 1, 1)));
        Dataset train = Datasets.load("cifar100", tmp, true);
        assertArrayEquals(new int[]{99, 42, 0}, train.labels());
        assertImage(train, 0, 5);
        assertImage(train, 2, 7);
        assertEquals(100, train.info().numClasses());
        assertEquals("worm", train.info().classNames().get(99));
        assertEquals("apple", train.info().classNames().get(0));
        assertEquals(1, Datasets.load("cifar100", tmp, false).size());
    }

    @Test
    void truncatedBatchIsNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        byte[] two = concat(record(0, 1), record(1, 2));
        Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(two, two.length - 10));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.load("cifar10", tmp, false));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("3073"), e.getMessage());
    }

    @Test
    void outOfRangeLabelIsNamed() throws IOException {
        Path f = Files.write(tmp.resolve("bad.bin"), concat(record(0, 1), record(1, 10)));
        IOException e = assertThrows(IOException.class,
                () -> CifarReader.readBatches(java.util.List.of(f), 1, Datasets.info("cifar10")));
        assertTrue(e.getMessage().contains("bad.bin") && e.getMessage().contains("record 1")
                && e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void missingBatchNamesTheExpectedPath() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.load("cifar10", tmp, true));
        assertEquals(tmp.resolve("cifar-10-batches-bin").resolve("data_batch_1.bin"), e.expectedPath());
        assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
    }
}
