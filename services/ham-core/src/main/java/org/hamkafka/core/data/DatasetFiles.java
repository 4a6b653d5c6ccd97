package org.hamkafka.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where each kind of data set keeps its splits in its folder, and which reader reads them. */
final class DatasetFiles {
    private DatasetFiles() {
    }

    /** The training or test split of data set {@code n} from folder {@code d}. */
    static Dataset read(String n, Path d, DatasetInfo info, boolean train) {
        try {
            return switch (Datasets.kind(n)) {
                case Datasets.FASHION_MNIST, Datasets.MNIST -> {
                    String prefix = train ? "train" : "t10k";
                    Path images = idxFile(n, d, prefix + "-images-idx3-ubyte");
                    Path labels = idxFile(n, d, prefix + "-labels-idx1-ubyte");
                    yield IdxReader.read(images, labels, info);
                }
                case Datasets.CIFAR10 -> {
                    List<Path> files = CifarReader.cifar10Files(d, train);
                    for (Path f : files) {
                        requireFile(n, f);
                    }
                    yield CifarReader.readBatches(files, 1, info);
                }
                case Datasets.CIFAR100 -> {
                    Path f = CifarReader.cifar100File(d, train);
                    requireFile(n, f);
                    yield CifarReader.readBatches(List.of(f), 2, info);
                }
                case Datasets.SVHN -> {
                    Path f = SvhnReader.file(d, train);
                    requireFile(n, f);
                    yield SvhnReader.readFile(f, info);
                }
                case Datasets.IMAGENETTE -> {
                    Path split = d.resolve(train ? "train" : "val");
                    if (!Files.isDirectory(split)) {
                        throw new DatasetNotFoundException(n, split, "Expected the Imagenette layout "
                                + "train/<wnid>/*.JPEG and val/<wnid>/*.JPEG");
                    }
                    List<String> folders = ImageFolderReader.classFolders(split);
                    if (!folders.equals(Datasets.IMAGENETTE_WNIDS)) {
                        throw new IOException(split + ": class folders " + folders + " are not Imagenette's "
                                + Datasets.IMAGENETTE_WNIDS);
                    }
                    yield new ImageFolderReader(info.height(), info.width()).read(split, info);
                }
                case Datasets.IMAGE_FOLDER -> {
                    Path split = d.resolve(train ? "train" : "test");
                    if (!train && !Files.isDirectory(split) && Files.isDirectory(d.resolve("val"))) {
                        split = d.resolve("val");
                    }
                    if (!Files.isDirectory(split)) {
                        throw new DatasetNotFoundException(n, split, "Expected " + String.join(" and ", Datasets.expectedFiles(n)));
                    }
                    List<String> folders = ImageFolderReader.classFolders(split);
                    if (!folders.equals(info.classNames())) {
                        throw new IOException(split + ": class folders " + folders + " are not the training split's "
                                + info.classNames());
                    }
                    yield new ImageFolderReader(info.height(), info.width()).read(split, info);
                }
                case Datasets.IDX -> {
                    String prefix = train ? "train" : "t10k";
                    yield IdxReader.read(idxFile(n, d, prefix + "-images-idx3-ubyte"),
                            idxFile(n, d, prefix + "-labels-idx1-ubyte"), info);
                }
                default -> throw new IllegalStateException("no loader for " + n);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** {@code name.gz} if present, else the plain file; missing both names the .gz one. */
    static Path idxFile(String dataset, Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new DatasetNotFoundException(dataset, gz, (dataset.equals(Datasets.FASHION_MNIST) ? Datasets.FASHION_MNIST_HINT
                : "Expected the IDX files {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] in " + dir));
    }

    static void requireFile(String dataset, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetNotFoundException(dataset, file, "The folder needs all of "
                    + String.join(", ", Datasets.expectedFiles(dataset)) + ": put the data set's original files there, or point "
                    + Datasets.DATA_DIR_ENV + " (or --data-dir) at a folder holding " + dataset + "/");
        }
    }
}
