package org.hamkafka.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A temporary {@code ham.data.dir} with a synthetic Fashion-MNIST (512 train, 64 test images). */
public class DataDirResource implements QuarkusTestResourceLifecycleManager {
    public static final int TRAIN = 512;
    private static volatile Path root;

    public static Path root() {
        return root;
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("ham-trainer-data");
            SyntheticFashionMnist.write(root, TRAIN, 64, 7);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("ham.data.dir", root.toString());
    }

    @Override
    public void stop() {
        if (root == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
