package org.hamkafka.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader of the CIFAR binary versions. CIFAR-10 records are 1 label byte + 3072 pixel bytes;
 * CIFAR-100 records are a coarse label byte, a fine label byte (the one used) + 3072 pixel bytes.
 * Pixels are the R plane, then G, then B, each 32×32 row-major — already C×H×W.
 */
public final class CifarReader {
    public static final int IMAGE_BYTES = 3 * 32 * 32;
    /** Folder inside the CIFAR-10 archive, and the one inside the CIFAR-100 archive. */
    public static final String CIFAR10_FOLDER = "cifar-10-batches-bin";
    public static final String CIFAR100_FOLDER = "cifar-100-binary";

    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    /** The 100 fine labels, in label order (alphabetical, as in fine_label_names.txt). */
    public static final List<String> CIFAR100_CLASSES = List.of("apple", "aquarium_fish", "baby", "bear", "beaver",
            "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can",
            "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab",
            "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster",
            "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man",
            "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter",
            "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum",
            "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk",
            "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table",
            "tank", "telephone", "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe",
            "whale", "willow_tree", "wolf", "woman", "worm");

    private CifarReader() {
    }

    /**
     * The batch files of CIFAR-10 under {@code dir}: {@code dir/cifar-10-batches-bin/data_batch_{1..5}.bin}
     * (train) or {@code .../test_batch.bin}; {@code dir} may also be the batches folder itself.
     */
    public static List<Path> cifar10Files(Path dir, boolean train) {
        Path nested = dir.resolve(CIFAR10_FOLDER);
        boolean flat = !Files.isDirectory(nested)
                && (Files.exists(dir.resolve("test_batch.bin")) || Files.exists(dir.resolve("data_batch_1.bin")));
        Path base = flat ? dir : nested;
        List<Path> files = new ArrayList<>();
        if (train) {
            for (int i = 1; i <= 5; i++) {
                files.add(base.resolve("data_batch_" + i + ".bin"));
            }
        } else {
            files.add(base.resolve("test_batch.bin"));
        }
        return files;
    }

    /** {@code dir/cifar-100-binary/train.bin} or {@code test.bin}; {@code dir} may be that folder itself. */
    public static Path cifar100File(Path dir, boolean train) {
        String name = train ? "train.bin" : "test.bin";
        if (!Files.isDirectory(dir.resolve(CIFAR100_FOLDER)) && Files.exists(dir.resolve(name))) {
            return dir.resolve(name);
        }
        return dir.resolve(CIFAR100_FOLDER).resolve(name);
    }

    public static Dataset readCifar10(Path dir, boolean train) throws IOException {
        return readBatches(cifar10Files(dir, train), 1, Datasets.info(Datasets.CIFAR10));
    }

    public static Dataset readCifar100(Path dir, boolean train) throws IOException {
        return readBatches(List.of(cifar100File(dir, train)), 2, Datasets.info(Datasets.CIFAR100));
    }

    /**
     * Concatenates the records of the given files, in file order. Each record is {@code labelBytes}
     * label bytes (the last one is the label) and 3072 pixel bytes.
     */
    public static Dataset readBatches(List<Path> files, int labelBytes, DatasetInfo info) throws IOException {
        if (labelBytes < 1 || labelBytes > 2) {
            throw new IllegalArgumentException("labelBytes must be 1 (CIFAR-10) or 2 (CIFAR-100), got " + labelBytes);
        }
        if (info.pixelsPerImage() != IMAGE_BYTES) {
            throw new IllegalArgumentException("CIFAR images are 3x32x32, data set " + info.name() + " expects "
                    + info.channels() + "x" + info.height() + "x" + info.width());
        }
        int record = labelBytes + IMAGE_BYTES;
        List<byte[]> contents = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            if (b.length == 0 || b.length % record != 0) {
                throw new IOException(f + ": length " + b.length + " is not a positive multiple of the record size "
                        + record + " (truncated, or not a " + (labelBytes == 1 ? "CIFAR-10" : "CIFAR-100")
                        + " binary batch)");
            }
            contents.add(b);
            total += b.length / record;
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE) {
            throw new IOException("too many CIFAR records for one in-memory data set: " + total);
        }
        float[] pixels = new float[(int) total * IMAGE_BYTES];
        int[] labels = new int[(int) total];
        int n = 0;
        for (int fi = 0; fi < files.size(); fi++) {
            byte[] b = contents.get(fi);
            for (int r = 0; r < b.length / record; r++, n++) {
                int offset = r * record;
                int label = b[offset + labelBytes - 1] & 0xFF;
                if (label >= info.numClasses()) {
                    throw new IOException(files.get(fi) + ": record " + r + " has label " + label + ", outside [0, "
                            + info.numClasses() + ") (corrupt, or the wrong CIFAR variant)");
                }
                labels[n] = label;
                DataFiles.toUnitFloats(b, offset + labelBytes, pixels, n * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new Dataset(info, pixels, labels);
    }
}
