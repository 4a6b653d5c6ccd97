package org.hamkafka.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvhnReaderTest {
    @TempDir
    Path tmp;

    /** Distinct in h, w, c and example, and not symmetric in h/w (catches a transposed read). */
    static int value(int i, int c, int h, int w) {
        return (i * 53 + c * 90 + h * 5 + w * 11) & 0xFF;
    }

    /** Writes an SVHN-style .mat: X 32×32×3×N uint8 (MATLAB's column-major), y N×1 double. */
    static void writeSvhn(Path file, int[] rawLabels) throws IOException {
        int n = rawLabels.length;
        Matrix x = Mat5.newMatrix(new int[]{32, 32, 3, n}, MatlabType.UInt8);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 32; h++) {
                    for (int w = 0; w < 32; w++) {
                        x.setInt(new int[]{h, w, c, i}, value(i, c, h, w));
                    }
                }
            }
        }
        Matrix y = Mat5.newMatrix(n, 1); // double, as in the published files
        for (int i = 0; i < n; i++) {
            y.setDouble(i, rawLabels[i]);
        }
        MatFile mat = Mat5.newMatFile().addArray("X", x).addArray("y", y);
        Mat5.writeToFile(mat, file.toFile());
    }

    @Test
    void readsPixelsInChwOrderAndMapsLabel10ToZero() throws IOException {
        writeSvhn(tmp.resolve("train_32x32.mat"), new int[]{10, 1, 9, 5});
        Dataset d = Datasets.load("svhn", tmp, true);
        assertArrayEquals(new int[]{0, 1, 9, 5}, d.labels());
        assertEquals(4, d.size());
        for (int i = 0; i < 4; i++) {
            float[] img = d.image(i);
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 32; h++) {
                    for (int w = 0; w < 32; w++) {
                        assertEquals(value(i, c, h, w) / 255f, img[c * 1024 + h * 32 + w], 0f,
                                "example " + i + " c" + c + " h" + h + " w" + w);
                    }
                }
            }
        }
        assertEquals(3, d.info().channels());
        assertEquals("0", d.info().classNames().get(0));
    }

    @Test
    void labelOutsideOneToTenIsAnError() throws IOException {
        writeSvhn(tmp.resolve("test_32x32.mat"), new int[]{3, 0});
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.load("svhn", tmp, false));
        assertTrue(e.getMessage().contains("test_32x32.mat") && e.getMessage().contains("example 1"), e.getMessage());
    }

    @Test
    void truncatedFileIsNamed() throws IOException {
        Path good = tmp.resolve("good.mat");
        writeSvhn(good, new int[]{1, 2, 3});
        byte[] b = Files.readAllBytes(good);
        Path cut = Files.write(tmp.resolve("cut.mat"), Arrays.copyOf(b, b.length / 2));
        IOException e = assertThrows(IOException.class, () -> SvhnReader.readFile(cut, Datasets.info("svhn")));
        assertTrue(e.getMessage().contains("cut.mat"), e.getMessage());
    }

    @Test
    void missingVariableAndWrongShapeAreNamed() throws IOException {
        Path noY = tmp.resolve("no-y.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("X", Mat5.newMatrix(new int[]{32, 32, 3, 1}, MatlabType.UInt8)),
                noY.toFile());
        IOException e = assertThrows(IOException.class, () -> SvhnReader.readFile(noY, Datasets.info("svhn")));
        assertTrue(e.getMessage().contains("no-y.mat") && e.getMessage().contains("'y'"), e.getMessage());

        Path wrong = tmp.resolve("wrong.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("X", Mat5.newMatrix(new int[]{28, 28, 1, 2}, MatlabType.UInt8))
                .addArray("y", Mat5.newMatrix(2, 1)), wrong.toFile());
        IOException e2 = assertThrows(IOException.class, () -> SvhnReader.readFile(wrong, Datasets.info("svhn")));
        assertTrue(e2.getMessage().contains("wrong.mat") && e2.getMessage().contains("[28, 28, 1, 2]"), e2.getMessage());
    }

    @Test
    void missingFileNamesTheExpectedPath() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> Datasets.load("svhn", tmp, true));
        assertEquals(tmp.resolve("train_32x32.mat"), e.expectedPath());
    }
}
