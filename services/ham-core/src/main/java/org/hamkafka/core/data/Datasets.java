package org.hamkafka.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The known data sets by name: their {@link DatasetInfo} (shape, class names, the usual per-channel
 * mean/std) and where their files are read from; and a user's own data set, named {@code <kind>:<name>}:
 * {@code image-folder:<name>} (class sub-folders of JPEG/PNG images under {@code train/} and {@code test/},
 * resized to 32×32 RGB) or {@code idx:<name>} (IDX files as MNIST's, of any image size), described by its
 * files (classes, shape) and read from the folder {@code <name>} under the data root, or from the data
 * directory given.
 */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String MNIST = "mnist";
    public static final String CIFAR10 = "cifar10";
    public static final String CIFAR100 = "cifar100";
    public static final String SVHN = "svhn";
    public static final String IMAGENETTE = "imagenette";
    /** The data set used when none is named. */
    public static final String DEFAULT = FASHION_MNIST;
    public static final List<String> NAMES = List.of(FASHION_MNIST, MNIST, CIFAR10, CIFAR100, SVHN, IMAGENETTE);
    /** A user's own data set in image-folder layout: {@code image-folder:<name>}. */
    public static final String IMAGE_FOLDER = "image-folder";
    /** A user's own data set as IDX files of any image size: {@code idx:<name>}. */
    public static final String IDX = "idx";
    /** The names a user's own data set may take, as a pattern for help texts. */
    public static final List<String> OWN_FORMS = List.of(IMAGE_FOLDER + ":<name>", IDX + ":<name>");
    // a folder name, never a path: no '/', no leading '.', so the name cannot leave the data root
    private static final Pattern OWN = Pattern.compile("(" + IMAGE_FOLDER + "|" + IDX + "):([a-z0-9][a-z0-9._-]{0,63})");
    /** The neutral normalization of a user's own data set (its statistics are not known in advance). */
    private static final float NEUTRAL = 0.5f;

    /** Root folder for all data sets (each in a sub-folder named like the data set). */
    public static final String DATA_DIR_ENV = "HAM_DATA_DIR";
    /** Where Debian's data set packages install (e.g. dataset-fashion-mnist). */
    public static final Path SYSTEM_ROOT = Path.of("/usr/share/datasets");

    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** Imagenette's class folders (WordNet ids), in sorted order, and their readable names. */
    public static final List<String> IMAGENETTE_WNIDS = List.of("n01440764", "n02102040", "n02979186", "n03000684",
            "n03028079", "n03394916", "n03417042", "n03425413", "n03445777", "n03888605");
    public static final List<String> IMAGENETTE_CLASSES = List.of("tench", "English springer", "cassette player",
            "chain saw", "church", "French horn", "garbage truck", "gas pump", "golf ball", "parachute");

    static final String FASHION_MNIST_HINT = "Install it with `apt-get install dataset-fashion-mnist` "
            + "(files go to /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz), "
            + "or point " + DATA_DIR_ENV + " at a folder holding fashion-mnist/ with those files";

    private Datasets() {
    }

    /** The canonical lower-case name, or IllegalArgumentException listing the known names and forms. */
    public static String canonicalName(String name) {
        // no trim: String.trim would pass a known name with a NUL (or any control character) after it
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n) && !OWN.matcher(n).matches()) {
            throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + String.join(", ", NAMES)
                    + ", or a data set of your own as " + String.join(" or ", OWN_FORMS) + " (<name>: lower-case "
                    + "letters, digits, '.', '_', '-', at most 64, the folder it is read from)");
        }
        return n;
    }

    /** True for a name {@link #canonicalName} accepts. */
    public static boolean isKnown(String name) {
        try {
            canonicalName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True for a user's own data set ({@code image-folder:<name>}, {@code idx:<name>}): described by its files. */
    public static boolean isOwn(String name) {
        return OWN.matcher(canonicalName(name)).matches();
    }

    /**
     * The known data set whose defaults a data set takes: itself, or for one of one's own the known set it is
     * shaped like (an image folder, RGB 32×32: CIFAR-10; IDX, grey: Fashion-MNIST). Also for the help's
     * {@code <kind>:<name>} placeholders, so the name is not checked here.
     */
    public static String defaultsOf(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.startsWith(IMAGE_FOLDER + ":") ? CIFAR10 : n.startsWith(IDX + ":") ? FASHION_MNIST : n;
    }

    /** {@code image-folder}, {@code idx}, or the name itself for a known data set. */
    public static String kind(String name) {
        Matcher m = OWN.matcher(canonicalName(name));
        return m.matches() ? m.group(1) : canonicalName(name);
    }

    /** The folder a data set is read from under the data root: its name, or {@code <name>} of {@code <kind>:<name>}. */
    public static String folderName(String name) {
        Matcher m = OWN.matcher(canonicalName(name));
        return m.matches() ? m.group(2) : canonicalName(name);
    }

    /**
     * Shape, classes and normalization of a data set: for a known one without reading any file, for a
     * user's own one from its files in {@code dir} (null: {@link #defaultDir(String)}).
     */
    public static DatasetInfo info(String name, Path dir) {
        String n = canonicalName(name);
        if (!isOwn(n)) {
            return info(n);
        }
        Path d = dir == null ? defaultDir(n) : dir;
        try {
            if (kind(n).equals(IMAGE_FOLDER)) {
                Path train = d.resolve("train");
                if (!Files.isDirectory(train)) {
                    throw new DatasetNotFoundException(n, train, "Expected " + String.join(" and ", expectedFiles(n)));
                }
                List<String> classes = ImageFolderReader.classFolders(train);
                if (classes.size() < 2) {
                    throw new IOException(train + ": found " + classes.size() + " class sub-folders " + classes
                            + ", need at least 2");
                }
                return new DatasetInfo(n, 3, ImageFolderReader.DEFAULT_SIZE, ImageFolderReader.DEFAULT_SIZE, classes,
                        new float[]{NEUTRAL, NEUTRAL, NEUTRAL}, new float[]{NEUTRAL, NEUTRAL, NEUTRAL});
            }
            // the shape from the images' header alone: the whole file is read once, by load()
            IdxReader.Images images = IdxReader.readImagesHeader(DatasetFiles.idxFile(n, d, "train-images-idx3-ubyte"));
            int classes = java.util.Arrays.stream(IdxReader.readLabels(DatasetFiles.idxFile(n, d, "train-labels-idx1-ubyte")))
                    .max().orElse(-1) + 1;
            if (classes < 2) {
                throw new IOException(d + ": the training labels name " + Math.max(classes, 0)
                        + " class(es); a data set needs at least 2");
            }
            return new DatasetInfo(n, 1, images.rows(), images.cols(),
                    java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
                    new float[]{NEUTRAL}, new float[]{NEUTRAL});
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Shape, classes and normalization of a known data set, without reading any file. */
    public static DatasetInfo info(String name) {
        if (isOwn(name)) {
            throw new IllegalArgumentException("data set '" + name + "' is described by its files: read its "
                    + "description with info(name, folder)");
        }
        return switch (canonicalName(name)) {
            case FASHION_MNIST -> new DatasetInfo(FASHION_MNIST, 1, 28, 28, FASHION_MNIST_CLASSES,
                    new float[]{0.2860f}, new float[]{0.3530f});
            case MNIST -> new DatasetInfo(MNIST, 1, 28, 28, MNIST_CLASSES, new float[]{0.1307f}, new float[]{0.3081f});
            case CIFAR10 -> new DatasetInfo(CIFAR10, 3, 32, 32, CifarReader.CIFAR10_CLASSES,
                    new float[]{0.4914f, 0.4822f, 0.4465f}, new float[]{0.2471f, 0.2435f, 0.2616f});
            case CIFAR100 -> new DatasetInfo(CIFAR100, 3, 32, 32, CifarReader.CIFAR100_CLASSES,
                    new float[]{0.5071f, 0.4865f, 0.4409f}, new float[]{0.2673f, 0.2564f, 0.2762f});
            case SVHN -> new DatasetInfo(SVHN, 3, 32, 32, MNIST_CLASSES,
                    new float[]{0.4377f, 0.4438f, 0.4728f}, new float[]{0.1980f, 0.2010f, 0.1970f});
            // ImageNet statistics, the usual choice for Imagenette
            case IMAGENETTE -> new DatasetInfo(IMAGENETTE, 3, ImageFolderReader.DEFAULT_SIZE,
                    ImageFolderReader.DEFAULT_SIZE, IMAGENETTE_CLASSES,
                    new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f});
            default -> throw new IllegalStateException("no info for " + name);
        };
    }

    /**
     * The files a data set's folder must hold, training split first, relative to that folder (as the
     * readers look for them; CIFAR may also be the batches folder itself).
     */
    public static List<String> expectedFiles(String name) {
        return expectedFilesOfKind(kind(name));
    }

    /** {@link #expectedFiles} by kind: a known data set's name, {@link #IMAGE_FOLDER} or {@link #IDX}. */
    public static List<String> expectedFilesOfKind(String kind) {
        Path here = Path.of("");
        return switch (kind) {
            case FASHION_MNIST, MNIST -> List.of("train-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]",
                    "t10k-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]");
            case CIFAR10 -> java.util.stream.Stream.concat(CifarReader.cifar10Files(here, true).stream(),
                    CifarReader.cifar10Files(here, false).stream()).map(Path::toString).toList();
            case CIFAR100 -> List.of(CifarReader.cifar100File(here, true).toString(),
                    CifarReader.cifar100File(here, false).toString());
            case SVHN -> List.of(SvhnReader.file(here, true).toString(), SvhnReader.file(here, false).toString());
            case IMAGENETTE -> List.of("train/<wnid>/*.JPEG", "val/<wnid>/*.JPEG (the 10 Imagenette class folders)");
            case IMAGE_FOLDER -> List.of("train/<class>/*.{jpg,jpeg,png}",
                    "test/<class>/*.{jpg,jpeg,png} (the same class folders; val/ is taken when test/ is missing)");
            case IDX -> List.of("train-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]",
                    "t10k-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz] (images of any size; labels 0..k-1)");
            default -> throw new IllegalArgumentException("no data set kind '" + kind + "'");
        };
    }

    /**
     * The default folder of a data set: {@code $HAM_DATA_DIR/<folder>} if set, else
     * {@code /usr/share/datasets/<folder>}, the folder being {@link #folderName}.
     */
    public static Path defaultDir(String name) {
        return defaultDir(name, System.getenv());
    }

    /** {@link #defaultDir(String)} with the environment given (for tests and embedding). */
    public static Path defaultDir(String name, Map<String, String> env) {
        String n = folderName(name);
        String root = env.get(DATA_DIR_ENV);
        if (root != null && !root.isBlank()) {
            return Path.of(root).resolve(n);
        }
        return SYSTEM_ROOT.resolve(n);
    }

    /** Loads from {@link #defaultDir(String)}. */
    public static Dataset load(String name, boolean train) {
        return load(name, null, train);
    }

    /**
     * Loads the training or test split of a data set from {@code dir} (null: {@link #defaultDir(String)}).
     *
     * @throws IllegalArgumentException   unknown name
     * @throws DatasetNotFoundException   the expected files are missing (message names the path)
     * @throws UncheckedIOException       a file is unreadable, truncated or corrupt (message names it)
     */
    public static Dataset load(String name, Path dir, boolean train) {
        String n = canonicalName(name);
        Path d = dir == null ? defaultDir(n) : dir;
        DatasetInfo info = info(n, d);
        return DatasetFiles.read(n, d, info, train);
    }
}
