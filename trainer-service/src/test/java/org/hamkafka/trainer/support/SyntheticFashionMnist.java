package org.hamkafka.trainer.support;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a small Fashion-MNIST-shaped data set in the real IDX format under
 * {@code <root>/fashion-mnist/}, so the tests need no installed data set. Each class has its own
 * mean brightness pattern plus noise, so a model can learn something from it.
 */
public final class SyntheticFashionMnist {
    private SyntheticFashionMnist() {
    }

    public static Path write(Path root, int train, int test, long seed) throws IOException {
        Path dir = root.resolve("fashion-mnist");
        Files.createDirectories(dir);
        Random r = new Random(seed);
        write(dir, "train", train, r);
        write(dir, "t10k", test, r);
        return root;
    }

    private static void write(Path dir, String prefix, int n, Random r) throws IOException {
        byte[] pixels = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = i % 10;
            labels[i] = (byte) c;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                int base = ((row + 3 * c) % 10) * 20;
                pixels[i * 784 + p] = (byte) Math.min(255, base + r.nextInt(56));
            }
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(prefix + "-images-idx3-ubyte")))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            out.write(pixels);
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            out.write(labels);
        }
    }

    private static OutputStream open(Path p) throws IOException {
        return Files.newOutputStream(p);
    }
}
