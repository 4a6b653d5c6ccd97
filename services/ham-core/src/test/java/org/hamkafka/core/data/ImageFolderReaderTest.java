package org.hamkafka.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderReaderTest {
    @TempDir
    Path tmp;

    static int r(int x, int y) {
        return (x * 8 + y) & 0xFF;
    }

    static int g(int x, int y) {
        return (255 - y * 8) & 0xFF;
    }

    static int b(int x, int y) {
        return (x * y) & 0xFF;
    }

    /** A 32×32 RGB image with distinct, position-dependent channels. */
    static BufferedImage pattern() {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, (r(x, y) << 16) | (g(x, y) << 8) | b(x, y));
            }
        }
        return img;
    }

    static BufferedImage uniform(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    @Test
    void readsClassesInFolderOrderPngExactlyJpegApproximately() throws IOException {
        Path root = tmp.resolve("train");
        Path zebra = Files.createDirectories(root.resolve("zebra"));
        Path ant = Files.createDirectories(root.resolve("ant"));
        ImageIO.write(pattern(), "png", ant.resolve("b.png").toFile());
        ImageIO.write(uniform(32, 32, 0x204080), "jpeg", ant.resolve("a.JPEG").toFile());
        ImageIO.write(uniform(32, 32, 0xC01030), "png", zebra.resolve("only.png").toFile());
        Files.writeString(ant.resolve("notes.txt"), "not an image, ignored");

        Dataset d = new ImageFolderReader().read(root, "tiny-folder");
        assertEquals(List.of("ant", "zebra"), d.info().classNames());
        assertArrayEquals(new int[]{0, 0, 1}, d.labels());

        // ant/a.JPEG first (file-name order): lossy, so approximately
        float[] jpeg = d.image(0);
        float[] want = {0x20 / 255f, 0x40 / 255f, 0x80 / 255f};
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < 1024; k++) {
                assertEquals(want[c], jpeg[c * 1024 + k], 4 / 255f, "jpeg channel " + c);
            }
        }
        // ant/b.png: exact, R/G/B planes, row-major
        float[] png = d.image(1);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertEquals(r(x, y) / 255f, png[y * 32 + x], 0f);
                assertEquals(g(x, y) / 255f, png[1024 + y * 32 + x], 0f);
                assertEquals(b(x, y) / 255f, png[2048 + y * 32 + x], 0f);
            }
        }
        assertEquals(0xC0 / 255f, d.image(2)[0], 0f);
    }

    @Test
    void resizesByAreaAveraging() throws IOException {
        // 64×64 made of 2×2 blocks whose four pixels average to a known value
        BufferedImage big = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int base = ((x / 2) * 4 + (y / 2)) & 0x7F;
                int v = base + ((x + y) % 2 == 0 ? 10 : -10) + 64; // block average = base + 64
                big.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        Path root = tmp.resolve("r");
        ImageIO.write(big, "png", Files.createDirectories(root.resolve("a")).resolve("big.png").toFile());
        ImageIO.write(uniform(8, 8, 0x000000), "png", Files.createDirectories(root.resolve("b")).resolve("small.png").toFile());

        Dataset d = new ImageFolderReader(32, 32).read(root, "resize");
        float[] img = d.image(0);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                float expected = ((((x * 4 + y) & 0x7F) + 64)) / 255f;
                assertEquals(expected, img[y * 32 + x], 1.01f / 255f, "x" + x + " y" + y);
                assertEquals(img[y * 32 + x], img[2048 + y * 32 + x], 0f);
            }
        }
        assertEquals(0f, d.image(1)[1000], 0f); // 8×8 black scaled up stays black
    }

    @Test
    void greyPngKeepsItsValues() throws IOException {
        BufferedImage grey = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                grey.getRaster().setSample(x, y, 0, x * 8);
            }
        }
        Path f = tmp.resolve("grey.png");
        ImageIO.write(grey, "png", f.toFile());
        float[] img = new ImageFolderReader().readImage(f, 3);
        for (int c = 0; c < 3; c++) {
            assertEquals(40 / 255f, img[c * 1024 + 5], 0f, "no gamma curve applied to grey values");
        }
    }

    @Test
    void corruptImageIsNamed() throws IOException {
        Path root = tmp.resolve("bad");
        Files.write(Files.createDirectories(root.resolve("a")).resolve("broken.png"), new byte[]{1, 2, 3, 4});
        ImageIO.write(pattern(), "png", Files.createDirectories(root.resolve("b")).resolve("ok.png").toFile());
        IOException e = assertThrows(IOException.class, () -> new ImageFolderReader().read(root, "bad"));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
    }

    @Test
    void anEmptyClassFolderIsRefusedNamingIt() throws IOException {
        Path root = tmp.resolve("some-empty");
        ImageIO.write(pattern(), "png", Files.createDirectories(root.resolve("a")).resolve("x.png").toFile());
        Files.createDirectories(root.resolve("b"));
        IOException e = assertThrows(IOException.class, () -> new ImageFolderReader().read(root, "some-empty"));
        assertTrue(e.getMessage().contains("class folder 'b' has no JPEG/PNG images"), e.getMessage());
    }

    @Test
    void aMissingCifarFileNamesAllTheFilesNeeded() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.load("cifar10", tmp.resolve("nothing"), true));
        for (int i = 1; i <= 5; i++) {
            assertTrue(e.getMessage().contains("data_batch_" + i + ".bin"), e.getMessage());
        }
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
    }

    @Test
    void imagenetteNeedsItsClassFolders() throws IOException {
        DatasetNotFoundException missing = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.load("imagenette", tmp, true));
        assertEquals(tmp.resolve("train"), missing.expectedPath());

        Path val = tmp.resolve("val");
        for (String wnid : Datasets.IMAGENETTE_WNIDS) {
            ImageIO.write(uniform(48, 40, 0x102030), "png", Files.createDirectories(val.resolve(wnid)).resolve("x.png").toFile());
        }
        Dataset d = Datasets.load("imagenette", tmp, false);
        assertEquals(10, d.size());
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, d.classCounts());
        assertEquals("tench", d.info().classNames().get(0));
        assertEquals(0x30 / 255f, d.image(9)[2 * 1024 + 500], 1.01f / 255f);

        Files.createDirectories(val.resolve("n99999999"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.load("imagenette", tmp, false));
        assertTrue(e.getMessage().contains("n99999999"), e.getMessage());
    }
}
