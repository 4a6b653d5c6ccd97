package org.hamkafka.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks, before anything is started, that Fashion-MNIST is where the services will look for it:
 * {@code <data dir>/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]}, the data dir being
 * {@code --data-dir}, else {@code $HAM_DATA_DIR}, else {@code /usr/share/datasets} (ham-core's rule).
 */
public final class DataCheck {
    public static final String DATA_DIR_ENV = "HAM_DATA_DIR";
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets");
    static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private DataCheck() {
    }

    /** The root data folder (holding {@code fashion-mnist/}) the services will be given. */
    public static Path dataRoot(Path option, Map<String, String> env) {
        if (option != null) {
            return option.toAbsolutePath();
        }
        String fromEnv = env.get(DATA_DIR_ENV);
        return fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv).toAbsolutePath() : DEBIAN_DIR;
    }

    /** The IDX files of Fashion-MNIST missing under {@code root}; empty when all four are there. */
    public static List<String> missingFashionMnist(Path root) {
        Path dir = root.resolve("fashion-mnist");
        List<String> missing = new ArrayList<>();
        for (String f : FILES) {
            if (!Files.isRegularFile(dir.resolve(f + ".gz")) && !Files.isRegularFile(dir.resolve(f))) {
                missing.add(dir.resolve(f + ".gz").toString());
            }
        }
        return missing;
    }

    /** What to tell the user when files are missing. */
    public static String howToGet(Path root, List<String> missing) {
        return "Fashion-MNIST is missing under " + root + " (not found: " + String.join(", ", missing) + ").\n"
                + "Get it with:  sudo apt-get install dataset-fashion-mnist   (installs to " + DEBIAN_DIR
                + "/fashion-mnist/)\n"
                + "or point " + DATA_DIR_ENV + " (or --data-dir) at a folder holding fashion-mnist/"
                + "{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz";
    }
}
