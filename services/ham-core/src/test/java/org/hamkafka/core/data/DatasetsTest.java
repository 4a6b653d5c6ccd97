package org.hamkafka.core.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @TempDir
    Path tmp;

    @Test
    void infoWithoutFiles() {
        DatasetInfo f = Datasets.info(Datasets.DEFAULT);
        assertEquals("fashion-mnist", f.name());
        assertEquals(784, f.pixelsPerImage());
        assertEquals("T-shirt/top", f.classNames().get(0));
        assertEquals("Ankle boot", f.classNames().get(9));
        assertEquals(0.2860f, f.mean()[0], 0f);
        assertEquals(0.3530f, f.std()[0], 0f);
        assertEquals(0.1307f, Datasets.info("mnist").mean()[0], 0f);
        DatasetInfo c = Datasets.info("cifar10");
        assertArrayEquals(new float[]{0.4914f, 0.4822f, 0.4465f}, c.mean(), 0f);
        assertArrayEquals(new float[]{0.2471f, 0.2435f, 0.2616f}, c.std(), 0f);
        assertEquals(100, Datasets.info("cifar100").numClasses());
        assertEquals(3072, Datasets.info("svhn").pixelsPerImage());
        assertEquals(10, Datasets.info("imagenette").numClasses());
        for (String name : Datasets.NAMES) {
            DatasetInfo i = Datasets.info(name);
            assertEquals(name, i.name());
            assertEquals(i.numClasses(), i.classNames().stream().distinct().count(), "distinct class names for " + name);
        }
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.info("imagenet"));
        for (String name : Datasets.NAMES) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("cifar-11", tmp, true));
    }

    @Test
    void missingFashionMnistSaysHowToGetIt() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.load("fashion-mnist", tmp.resolve("nowhere"), false));
        assertEquals(tmp.resolve("nowhere").resolve("t10k-images-idx3-ubyte.gz"), e.expectedPath());
        assertTrue(e.getMessage().contains(e.expectedPath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void defaultDirHonoursHamDataDir() {
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), Datasets.defaultDir("fashion-mnist", Map.of()));
        assertEquals(Path.of("/usr/share/datasets/cifar10"), Datasets.defaultDir("CIFAR10", Map.of()));
        assertEquals(tmp.resolve("svhn"), Datasets.defaultDir("svhn", Map.of("HAM_DATA_DIR", tmp.toString())));
        assertEquals(Path.of("/usr/share/datasets/mnist"), Datasets.defaultDir("mnist", Map.of("HAM_DATA_DIR", " ")));
    }

    /** The real Fashion-MNIST test set, where installed (CI installs dataset-fashion-mnist). */
    @Test
    void realFashionMnistTestSet() {
        String prop = System.getProperty("hamkafka.fashionMnistDir", "");
        Path dir = prop.isBlank() || prop.contains("${") ? Datasets.defaultDir("fashion-mnist") : Path.of(prop);
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed at " + dir + " (apt-get install dataset-fashion-mnist); skipped");
        Dataset test = Datasets.load("fashion-mnist", dir, false);
        assertEquals(10000, test.size());
        assertArrayEquals(new int[]{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, test.classCounts());
        assertEquals(9, test.label(0)); // the first test image is an ankle boot
        float max = 0;
        float min = 1;
        for (int i = 0; i < 100; i++) {
            for (float v : test.image(i)) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        assertEquals(0f, min, 0f);
        assertEquals(1f, max, 0f);
    }

    /** An image-folder data set under {@code dir}: train/{cat,dog} with 3 and 2 PNGs, test/{cat,dog} with one each. */
    static void writeImageFolder(Path dir) throws java.io.IOException {
        int[][] counts = {{3, 2}, {1, 1}};
        String[] splits = {"train", "test"};
        for (int s = 0; s < 2; s++) {
            for (int c = 0; c < 2; c++) {
                Path folder = Files.createDirectories(dir.resolve(splits[s]).resolve(c == 0 ? "cat" : "dog"));
                for (int i = 0; i < counts[s][c]; i++) {
                    javax.imageio.ImageIO.write(ImageFolderReaderTest.uniform(40, 24, c == 0 ? 0xff0000 : 0x0000ff), "png",
                            folder.resolve(i + ".png").toFile());
                }
            }
        }
    }

    /** An IDX data set of 5×7 images under {@code dir}: 4 training examples of classes 0-2, 2 test examples. */
    static void writeIdx(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("train-images-idx3-ubyte"), IdxReaderTest.idxImages(4, 5, 7, IdxReaderTest.pixels(4 * 35)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.idxLabels(new byte[]{0, 2, 1, 2})));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.idxImages(2, 5, 7, IdxReaderTest.pixels(2 * 35)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxReaderTest.idxLabels(new byte[]{1, 0}));
    }

    @Test
    void anImageFolderOfOnesOwnIsDescribedByItsFoldersAndReadFromTheFolderOfItsName() throws Exception {
        writeImageFolder(tmp.resolve("pets"));
        String name = Datasets.canonicalName("Image-Folder:pets");
        assertEquals("image-folder:pets", name);
        assertTrue(Datasets.isOwn(name));
        assertEquals("pets", Datasets.folderName(name));
        assertEquals(tmp.resolve("pets"), Datasets.defaultDir(name, Map.of(Datasets.DATA_DIR_ENV, tmp.toString())));
        DatasetInfo info = Datasets.info(name, tmp.resolve("pets"));
        assertEquals(java.util.List.of("cat", "dog"), info.classNames());
        assertEquals(3 * 32 * 32, info.pixelsPerImage(), "resized to 32x32 RGB");
        Dataset train = Datasets.load(name, tmp.resolve("pets"), true);
        Dataset test = Datasets.load(name, tmp.resolve("pets"), false);
        assertEquals(5, train.size());
        assertEquals(2, test.size());
        assertEquals(name, train.info().name());
        assertEquals(info.classNames(), train.info().classNames());
        assertArrayEquals(new int[]{0, 0, 0, 1, 1}, java.util.stream.IntStream.range(0, 5).map(train::label).toArray());
        // a red image: channel 0 is 1, channel 2 is 0
        assertEquals(1f, train.image(0)[0], 0f);
        assertEquals(0f, train.image(0)[2 * 32 * 32], 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.info(name),
                "its description needs its files");
        assertTrue(e.getMessage().contains("described by its files"), e.getMessage());

        // a test split whose classes differ from the training split's is named, not mislabelled
        Files.createDirectories(tmp.resolve("pets/test/bird"));
        java.io.UncheckedIOException bad = assertThrows(java.io.UncheckedIOException.class,
                () -> Datasets.load(name, tmp.resolve("pets"), false));
        assertTrue(bad.getMessage().contains("are not the training split's [cat, dog]"), bad.getMessage());
        DatasetNotFoundException missing = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.load("image-folder:nowhere", tmp.resolve("nowhere"), true));
        assertEquals(tmp.resolve("nowhere/train"), missing.expectedPath());
    }

    @Test
    void idxFilesOfAnySizeAreADataSetOfOnesOwn() throws Exception {
        writeIdx(tmp.resolve("digits-5x7"));
        DatasetInfo info = Datasets.info("idx:digits-5x7", tmp.resolve("digits-5x7"));
        assertEquals(1, info.channels());
        assertEquals(5, info.height());
        assertEquals(7, info.width());
        assertEquals(java.util.List.of("0", "1", "2"), info.classNames(), "classes 0 .. the largest training label");
        Dataset test = Datasets.load("idx:digits-5x7", tmp.resolve("digits-5x7"), false);
        assertEquals(2, test.size());
        assertEquals(info.classNames(), test.info().classNames(), "the test split takes the training split's classes");
        assertEquals(5 * 7, test.info().pixelsPerImage());
        assertEquals(IdxReaderTest.pixels(35)[1] & 0xff, Math.round(test.image(0)[1] * 255));
    }

    @Test
    void theNameOfOnesOwnDataSetIsAFolderNameNeverAPath() {
        for (String bad : new String[]{"image-folder:../etc", "image-folder:", "idx:a/b", "idx:.hidden", "folder:pets",
                "image-folder:" + "x".repeat(65)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.canonicalName(bad),
                    bad);
            assertTrue(e.getMessage().contains("image-folder:<name>"), e.getMessage());
            assertFalse(Datasets.isKnown(bad), bad);
        }
        assertTrue(Datasets.isKnown("idx:my_set.v2"));
    }

    /** Case is forgiven; anything around the name is not (trimming let a name with a NUL after it through). */
    @Test
    void aNameIsTheNameExactlyUpToCase() {
        assertEquals("fashion-mnist", Datasets.canonicalName("FASHION-MNIST"));
        for (String bad : new String[]{"fashion-mnist\u0000", " fashion-mnist", "fashion-mnist\n", "idx:pets\t"}) {
            assertFalse(Datasets.isKnown(bad), bad);
        }
    }
}
