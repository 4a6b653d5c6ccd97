package org.hamkafka.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** A small data set of one's own as IDX files, for the tests that read {@code idx:<name>}. */
public final class IdxFiles {
    private IdxFiles() {
    }

    /**
     * {@code n} grey 10×10 images in 3 classes (class c lights rows 4c..4c+3, with noise), the same as the
     * training and the test split, as {@code {train,t10k}-{images-idx3,labels-idx1}-ubyte} in {@code dir}.
     */
    public static void writeSquares(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        byte[] px = new byte[n * 100];
        byte[] labels = new byte[n];
        Random r = new Random(3);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 3);
            for (int j = 0; j < 100; j++) {
                px[i * 100 + j] = (byte) ((j / 10) / 4 == i % 3 ? 150 + r.nextInt(100) : r.nextInt(60));
            }
        }
        byte[] img = ByteBuffer.allocate(16 + px.length).putInt(0x803).putInt(n).putInt(10).putInt(10).put(px).array();
        byte[] lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n).put(labels).array();
        for (String split : new String[]{"train", "t10k"}) {
            Files.write(dir.resolve(split + "-images-idx3-ubyte"), img);
            Files.write(dir.resolve(split + "-labels-idx1-ubyte"), lab);
        }
    }
}
