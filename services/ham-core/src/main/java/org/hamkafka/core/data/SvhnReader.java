package org.hamkafka.core.data;

import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reader of SVHN "cropped digits" ({@code train_32x32.mat}, {@code test_32x32.mat}, MATLAB v5).
 * Variable {@code X} is 32×32×3×N uint8 (height, width, channel, example; MATLAB arrays are
 * column-major), {@code y} is N×1 with labels 1..10, where 10 stands for the digit 0.
 */
public final class SvhnReader {
    private static final int SIDE = 32;
    private static final int CHANNELS = 3;

    private SvhnReader() {
    }

    /** {@code dir/train_32x32.mat} or {@code dir/test_32x32.mat}. */
    public static Path file(Path dir, boolean train) {
        return dir.resolve(train ? "train_32x32.mat" : "test_32x32.mat");
    }

    public static Dataset read(Path dir, boolean train) throws IOException {
        return readFile(file(dir, train), Datasets.info(Datasets.SVHN));
    }

    public static Dataset readFile(Path file, DatasetInfo info) throws IOException {
        if (info.channels() != CHANNELS || info.height() != SIDE || info.width() != SIDE || info.numClasses() != 10) {
            throw new IllegalArgumentException("SVHN images are 3x32x32 with 10 classes, data set " + info.name()
                    + " is " + info.channels() + "x" + info.height() + "x" + info.width() + " with "
                    + info.numClasses() + " classes");
        }
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        MatFile mat;
        try {
            mat = Mat5.readFromFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable MATLAB v5 file (truncated or corrupt?): " + e.getMessage(), e);
        }
        try (mat) {
            Matrix x = variable(mat, "X", file);
            Matrix y = variable(mat, "y", file);
            int[] dims = x.getDimensions();
            if (dims.length != 4 || dims[0] != SIDE || dims[1] != SIDE || dims[2] != CHANNELS) {
                throw new IOException(file + ": variable X has dimensions " + Arrays.toString(dims)
                        + ", expected [32, 32, 3, N]");
            }
            if (x.getType() != MatlabType.UInt8) {
                throw new IOException(file + ": variable X has type " + x.getType() + ", expected uint8");
            }
            int n = dims[3];
            if (y.getNumElements() != n) {
                throw new IOException(file + ": variable y holds " + y.getNumElements() + " labels but X holds "
                        + n + " images");
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                double v = y.getDouble(i);
                if (v != Math.rint(v) || v < 1 || v > 10) {
                    throw new IOException(file + ": label " + v + " of example " + i + " is not in 1..10");
                }
                labels[i] = (int) v % 10; // SVHN stores the digit 0 as label 10
            }
            int per = CHANNELS * SIDE * SIDE;
            float[] pixels = new float[Math.multiplyExact(n, per)];
            // MATLAB column-major: X(h, w, c, i) sits at h + 32*w + 1024*c + 3072*i
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < CHANNELS; c++) {
                    for (int h = 0; h < SIDE; h++) {
                        for (int w = 0; w < SIDE; w++) {
                            int src = h + SIDE * w + SIDE * SIDE * c + per * i;
                            pixels[i * per + c * SIDE * SIDE + h * SIDE + w] = x.getInt(src) / 255f;
                        }
                    }
                }
            }
            return new Dataset(info, pixels, labels);
        }
    }

    private static Matrix variable(MatFile mat, String name, Path file) throws IOException {
        try {
            return mat.getMatrix(name);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(file + ": no numeric variable '" + name + "' (" + e.getMessage() + ")", e);
        }
    }
}
