package org.hamkafka.core.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
