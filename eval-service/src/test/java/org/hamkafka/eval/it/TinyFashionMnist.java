package org.hamkafka.eval.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A tiny Fashion-MNIST test split in the real IDX format, written to a temporary {@code ham.data.dir}:
 * 12 images per class. Class c lights rows 2c..2c+1 at 0.9; sample k also lights another class's rows
 * at k/12·0.9, so a template classifier gets every image right but the eps = 0.1 attack flips the
 * samples whose distractor comes close: per-class accuracies between 0 and 1.
 */
public class TinyFashionMnist implements QuarkusTestResourceLifecycleManager {
    public static final int CLASSES = 10;
    public static final int PER_CLASS = 12;
    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("ham-eval-data");
            Path dir = Files.createDirectories(root.resolve("fashion-mnist"));
            int n = CLASSES * PER_CLASS;
            ByteBuffer images = ByteBuffer.allocate(16 + n * 784).putInt(0x00000803).putInt(n).putInt(28).putInt(28);
            ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x00000801).putInt(n);
            java.util.Random noise = new java.util.Random(3);
            for (int i = 0; i < n; i++) {
                int c = i % CLASSES;
                int k = i / CLASSES;
                int distractor = (c + 1 + k % (CLASSES - 1)) % CLASSES;
                byte[] px = new byte[784];
                for (int p = 0; p < 784; p++) {
                    int row = p / 28;
                    double v = noise.nextDouble() * 0.05;
                    if (row / 2 == c) {
                        v = 0.9;
                    } else if (row / 2 == distractor) {
                        v = 0.9 * k / PER_CLASS;
                    }
                    px[p] = (byte) Math.round(v * 255);
                }
                images.put(px);
                labels.put((byte) c);
            }
            Files.write(dir.resolve("t10k-images-idx3-ubyte"), images.array());
            Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels.array());
            return Map.of("ham.data.dir", root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
