package org.hamkafka.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    static final DatasetInfo TINY = new DatasetInfo("tiny", 1, 2, 3, List.of("a", "b", "c"),
            new float[]{0.5f}, new float[]{0.5f});

    @TempDir
    Path tmp;

    /** IDX images: magic 0x803, count, rows, cols, pixels. */
    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(count).putInt(rows).putInt(cols)
                .put(pixels).array();
    }

    static byte[] idxLabels(byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(labels.length).put(labels).array();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(b);
        }
        return bos.toByteArray();
    }

    static byte[] pixels(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 37 + 255); // includes values above 127, so unsigned handling is checked
        }
        return p;
    }

    @Test
    void readsPlainAndGzippedTheSame() throws IOException {
        byte[] px = pixels(2 * 2 * 3);
        byte[] lb = {2, 0};
        Path img = Files.write(tmp.resolve("img"), idxImages(2, 2, 3, px));
        Path lab = Files.write(tmp.resolve("lab"), idxLabels(lb));
        // gzipped content under a name without .gz: the magic decides
        Path imgGz = Files.write(tmp.resolve("img-gz-no-suffix"), gzip(idxImages(2, 2, 3, px)));
        Path labGz = Files.write(tmp.resolve("lab.gz"), gzip(idxLabels(lb)));

        Dataset plain = IdxReader.read(img, lab, TINY);
        Dataset gz = IdxReader.read(imgGz, labGz, TINY);
        for (Dataset d : List.of(plain, gz)) {
            assertEquals(2, d.size());
            assertArrayEquals(new int[]{2, 0}, d.labels());
            for (int i = 0; i < 2; i++) {
                float[] image = d.image(i);
                for (int k = 0; k < 6; k++) {
                    assertEquals((px[i * 6 + k] & 0xFF) / 255f, image[k], 0f, "image " + i + " pixel " + k);
                }
            }
        }
        assertEquals(1f, plain.image(0)[0], 0f); // byte 0xFF -> 1.0
    }

    @Test
    void theHeaderAloneGivesTheSameCountAndSizeAsTheWholeFile() throws IOException {
        Path img = Files.write(tmp.resolve("img"), idxImages(2, 2, 3, pixels(12)));
        Path gz = Files.write(tmp.resolve("img.gz"), gzip(idxImages(2, 2, 3, pixels(12))));
        for (Path f : List.of(img, gz)) {
            IdxReader.Images whole = IdxReader.readImages(f);
            IdxReader.Images head = IdxReader.readImagesHeader(f);
            assertEquals(List.of(whole.count(), whole.rows(), whole.cols()), List.of(head.count(), head.rows(), head.cols()));
        }
        Path labels = Files.write(tmp.resolve("lab"), idxLabels(new byte[]{1}));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImagesHeader(labels));
        assertTrue(e.getMessage().contains("bad magic number"), e.getMessage());
    }

    @Test
    void badMagicIsNamed() throws IOException {
        Path lab = Files.write(tmp.resolve("labels-as-images"), idxLabels(new byte[]{1, 2}));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(lab));
        assertTrue(e.getMessage().contains("labels-as-images") && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void truncatedPlainFileIsNamed() throws IOException {
        byte[] full = idxImages(2, 2, 3, pixels(12));
        Path f = Files.write(tmp.resolve("short-images"), Arrays.copyOf(full, full.length - 1));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("short-images") && e.getMessage().contains("truncated"), e.getMessage());
        Path h = Files.write(tmp.resolve("header-only"), new byte[]{0, 0, 8, 1, 0});
        IOException e2 = assertThrows(IOException.class, () -> IdxReader.readLabels(h));
        assertTrue(e2.getMessage().contains("header-only") && e2.getMessage().contains("truncated"), e2.getMessage());
    }

    @Test
    void truncatedGzipIsNamed() throws IOException {
        byte[] gz = gzip(idxImages(50, 2, 3, pixels(300)));
        Path f = Files.write(tmp.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("cut.gz") && e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void trailingBytesAndCountMismatchAreErrors() throws IOException {
        byte[] full = idxImages(2, 2, 3, pixels(12));
        Path f = Files.write(tmp.resolve("long-images"), Arrays.copyOf(full, full.length + 5));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("long-images") && e.getMessage().contains("5 unexpected bytes"), e.getMessage());

        Path img = Files.write(tmp.resolve("img"), full);
        Path lab = Files.write(tmp.resolve("three-labels"), idxLabels(new byte[]{0, 1, 2}));
        IOException e2 = assertThrows(IOException.class, () -> IdxReader.read(img, lab, TINY));
        assertTrue(e2.getMessage().contains("3 labels"), e2.getMessage());

        Path badLab = Files.write(tmp.resolve("label-7"), idxLabels(new byte[]{0, 7}));
        IOException e3 = assertThrows(IOException.class, () -> IdxReader.read(img, badLab, TINY));
        assertTrue(e3.getMessage().contains("label 7"), e3.getMessage());
    }

    @Test
    void datasetsLoadsMnistLayoutPlainOrGz() throws IOException {
        byte[] trainPx = pixels(3 * 28 * 28);
        Files.write(tmp.resolve("train-images-idx3-ubyte"), idxImages(3, 28, 28, trainPx));
        Files.write(tmp.resolve("train-labels-idx1-ubyte"), idxLabels(new byte[]{9, 0, 4}));
        Files.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), gzip(idxImages(1, 28, 28, pixels(784))));
        Files.write(tmp.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idxLabels(new byte[]{5})));

        Dataset train = Datasets.load("mnist", tmp, true);
        assertEquals("mnist", train.info().name());
        assertArrayEquals(new int[]{9, 0, 4}, train.labels());
        assertEquals((trainPx[784 + 100] & 0xFF) / 255f, train.image(1)[100], 0f);
        Dataset test = Datasets.load("MNIST", tmp, false);
        assertArrayEquals(new int[]{5}, test.labels());

        // corrupt file through Datasets: unchecked, still naming the file
        Files.write(tmp.resolve("t10k-labels-idx1-ubyte.gz"), new byte[]{0x1f, (byte) 0x8b, 8, 0, 0});
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.load("mnist", tmp, false));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
    }
}
