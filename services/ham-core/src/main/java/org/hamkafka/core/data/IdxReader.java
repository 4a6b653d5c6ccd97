package org.hamkafka.core.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST (gzipped or plain; the gzip magic decides,
 * not the file name). Images: magic 0x00000803, count, rows, cols, then unsigned bytes row-major.
 * Labels: magic 0x00000801, count, then one unsigned byte per example. All integers big-endian.
 */
public final class IdxReader {
    /** Unsigned-byte data (type code 0x08) with 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned-byte data (type code 0x08) with 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** The raw images of an idx3-ubyte file: {@code count} images of rows×cols unsigned bytes. */
    public record Images(int count, int rows, int cols, byte[] data) {
    }

    public static Images readImages(Path file) throws IOException {
        byte[] b = DataFiles.readMaybeGzipped(file);
        Images h = header(file, b);
        long expected = 16L + (long) h.count() * h.rows() * h.cols();
        checkLength(file, b.length, expected, h.count() + " images of " + h.rows() + "x" + h.cols());
        byte[] data = new byte[(int) (expected - 16)];
        System.arraycopy(b, 16, data, 0, data.length);
        return new Images(h.count(), h.rows(), h.cols(), data);
    }

    /** Count and image size of an idx3-ubyte file from its 16-byte header alone ({@code data} null). */
    public static Images readImagesHeader(Path file) throws IOException {
        return header(file, DataFiles.readHead(file, 16));
    }

    /** The validated header of an image file whose content starts with {@code b} ({@code data} null). */
    private static Images header(Path file, byte[] b) throws IOException {
        // the magic first: a wrong kind of file is named as such even when it is short
        if (b.length >= 4 && DataFiles.readIntBigEndian(b, 0) != IMAGES_MAGIC) {
            throw new IOException(String.format("%s: bad magic number 0x%08x, expected 0x%08x (IDX unsigned-byte images)",
                    file, DataFiles.readIntBigEndian(b, 0), IMAGES_MAGIC));
        }
        if (b.length < 16) {
            throw new IOException(file + ": truncated IDX image file (" + b.length + " bytes, the header alone needs 16)");
        }
        int count = DataFiles.readIntBigEndian(b, 4);
        int rows = DataFiles.readIntBigEndian(b, 8);
        int cols = DataFiles.readIntBigEndian(b, 12);
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IOException(file + ": invalid IDX header: " + count + " images of " + rows + "x" + cols);
        }
        return new Images(count, rows, cols, null);
    }

    public static int[] readLabels(Path file) throws IOException {
        byte[] b = DataFiles.readMaybeGzipped(file);
        // the magic first: a wrong kind of file is named as such even when it is short
        if (b.length >= 4 && DataFiles.readIntBigEndian(b, 0) != LABELS_MAGIC) {
            throw new IOException(String.format("%s: bad magic number 0x%08x, expected 0x%08x (IDX unsigned-byte labels)",
                    file, DataFiles.readIntBigEndian(b, 0), LABELS_MAGIC));
        }
        if (b.length < 8) {
            throw new IOException(file + ": truncated IDX label file (" + b.length + " bytes, the header alone needs 8)");
        }
        int count = DataFiles.readIntBigEndian(b, 4);
        if (count < 0) {
            throw new IOException(file + ": invalid IDX header: negative label count " + count);
        }
        checkLength(file, b.length, 8L + count, count + " labels");
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = b[8 + i] & 0xFF;
        }
        return labels;
    }

    /**
     * Images and labels as a data set described by {@code info} (1 channel; the image size and the
     * number of classes must match the files).
     */
    public static Dataset read(Path imagesFile, Path labelsFile, DatasetInfo info) throws IOException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (images.count() != labels.length) {
            throw new IOException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels");
        }
        if (info.channels() != 1 || info.height() != images.rows() || info.width() != images.cols()) {
            throw new IOException(imagesFile + ": images are 1x" + images.rows() + "x" + images.cols() + ", data set "
                    + info.name() + " expects " + info.channels() + "x" + info.height() + "x" + info.width());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= info.numClasses()) {
                throw new IOException(labelsFile + ": label " + labels[i] + " of example " + i + " is outside [0, "
                        + info.numClasses() + ")");
            }
        }
        float[] pixels = new float[images.data().length];
        DataFiles.toUnitFloats(images.data(), 0, pixels, 0, pixels.length);
        return new Dataset(info, pixels, labels);
    }

    private static void checkLength(Path file, long actual, long expected, String what) throws IOException {
        if (actual < expected) {
            throw new IOException(file + ": truncated: the header promises " + what + " (" + expected
                    + " bytes in all) but the file holds " + actual + " bytes");
        }
        if (actual > expected) {
            throw new IOException(file + ": " + (actual - expected) + " unexpected bytes after the " + what
                    + " the header promises (corrupt or not an IDX file)");
        }
    }
}
