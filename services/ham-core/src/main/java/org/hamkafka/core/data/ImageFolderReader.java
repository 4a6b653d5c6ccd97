package org.hamkafka.core.data;

import javax.imageio.ImageIO;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelGrabber;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Reader of an image-folder data set: one sub-folder per class (classes in folder-name order),
 * JPEG/PNG images inside (file-name order), e.g. Imagenette's {@code train/<wnid>/*.JPEG}.
 * Images are converted to RGB (or grey for a 1-channel target) and resized by area averaging.
 */
public final class ImageFolderReader {
    public static final int DEFAULT_SIZE = 32;
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");

    private final int height;
    private final int width;

    /** A reader that resizes to 32×32. */
    public ImageFolderReader() {
        this(DEFAULT_SIZE, DEFAULT_SIZE);
    }

    public ImageFolderReader(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
    }

    /** The class sub-folders of {@code root}, sorted by name (hidden folders skipped). */
    public static List<String> classFolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new java.nio.file.NoSuchFileException(root.toString(), null, "not a folder of class sub-folders");
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /**
     * Reads with class names taken from the folder names, RGB, 0.5/0.5 normalization (a neutral
     * default; pass a {@link DatasetInfo} to choose).
     */
    public Dataset read(Path root, String name) throws IOException {
        List<String> classes = classFolders(root);
        if (classes.size() < 2) {
            throw new IOException(root + ": found " + classes.size() + " class sub-folders " + classes + ", need at least 2");
        }
        DatasetInfo info = new DatasetInfo(name, 3, height, width, classes, new float[]{0.5f, 0.5f, 0.5f},
                new float[]{0.5f, 0.5f, 0.5f});
        return read(root, info);
    }

    /**
     * Reads {@code root}: the i-th sub-folder in name order gets label i; {@code info} gives the
     * channels (1 or 3) and the size, which must be this reader's, and as many classes as sub-folders.
     */
    public Dataset read(Path root, DatasetInfo info) throws IOException {
        if (info.height() != height || info.width() != width) {
            throw new IllegalArgumentException("reader resizes to " + height + "x" + width + " but data set "
                    + info.name() + " is " + info.height() + "x" + info.width());
        }
        if (info.channels() != 1 && info.channels() != 3) {
            throw new IllegalArgumentException("image folders give 1 or 3 channels, data set " + info.name()
                    + " has " + info.channels());
        }
        List<String> classes = classFolders(root);
        if (classes.size() != info.numClasses()) {
            throw new IOException(root + ": found " + classes.size() + " class sub-folders " + classes + ", data set "
                    + info.name() + " has " + info.numClasses() + " classes");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            try (Stream<Path> s = Files.list(root.resolve(classes.get(c)))) {
                List<Path> images = s.filter(Files::isRegularFile).filter(ImageFolderReader::isImage).sorted().toList();
                if (images.isEmpty()) {
                    // a class without examples trains, then cannot be evaluated (its accuracy is 0/0)
                    throw new IOException(root.resolve(classes.get(c)) + ": class folder '" + classes.get(c)
                            + "' has no JPEG/PNG images; every class needs at least one");
                }
                for (Path p : images) {
                    files.add(p);
                    labelList.add(c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException(root + ": no JPEG/PNG images in the class sub-folders " + classes);
        }
        int per = info.pixelsPerImage();
        float[] pixels = new float[Math.multiplyExact(files.size(), per)];
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        // decoding dominates; each image writes its own slice, so the result does not depend on scheduling
        try {
            IntStream.range(0, files.size()).parallel().forEach(i -> {
                try {
                    decodeInto(files.get(i), info.channels(), pixels, i * per);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Dataset(info, pixels, labels);
    }

    /** One image file, resized and converted, as C×H×W floats in [0,1]. */
    public float[] readImage(Path file, int channels) throws IOException {
        float[] out = new float[channels * height * width];
        decodeInto(file, channels, out, 0);
        return out;
    }

    private void decodeInto(Path file, int channels, float[] dst, int offset) throws IOException {
        BufferedImage src;
        try {
            src = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode image (" + e.getMessage() + ")", e);
        }
        if (src == null) {
            throw new IOException(file + ": not a JPEG/PNG image that javax.imageio can decode");
        }
        int[] rgb = resize(toRgb(src), src.getWidth(), src.getHeight(), file);
        int plane = height * width;
        for (int at = 0; at < plane; at++) {
            int p = rgb[at];
            float r = ((p >> 16) & 0xFF) / 255f;
            float g = ((p >> 8) & 0xFF) / 255f;
            float b = (p & 0xFF) / 255f;
            if (channels == 3) {
                dst[offset + at] = r;
                dst[offset + plane + at] = g;
                dst[offset + 2 * plane + at] = b;
            } else {
                // ITU-R BT.601 luma, the usual RGB-to-grey weights
                dst[offset + at] = 0.299f * r + 0.587f * g + 0.114f * b;
            }
        }
    }

    /**
     * Packed 0xRRGGBB pixels, row-major. Grey images are read from the raster: going through
     * getRGB would apply a linear-to-sRGB gamma curve to their values.
     */
    private static int[] toRgb(BufferedImage src) {
        int w = src.getWidth();
        int h = src.getHeight();
        Raster raster = src.getRaster();
        if (raster.getNumBands() <= 2 && !(src.getColorModel() instanceof IndexColorModel)) {
            int max = (1 << src.getColorModel().getComponentSize(0)) - 1;
            int[] out = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = Math.round(raster.getSample(x, y, 0) * 255f / max);
                    out[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
            return out;
        }
        return src.getRGB(0, 0, w, h, null, 0, w);
    }

    /** Area-averaging resize (the JDK's AreaAveragingScaleFilter); a same-size image is returned as is. */
    private int[] resize(int[] rgb, int srcWidth, int srcHeight, Path file) throws IOException {
        if (srcWidth == width && srcHeight == height) {
            return rgb;
        }
        BufferedImage img = new BufferedImage(srcWidth, srcHeight, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, srcWidth, srcHeight, rgb, 0, srcWidth);
        Image scaled = img.getScaledInstance(width, height, Image.SCALE_AREA_AVERAGING);
        int[] out = new int[width * height];
        // PixelGrabber blocks until the (producer-based) scaled image is complete
        PixelGrabber grabber = new PixelGrabber(scaled, 0, 0, width, height, out, 0, width);
        try {
            if (!grabber.grabPixels()) {
                throw new IOException(file + ": resizing to " + height + "x" + width + " failed (status "
                        + grabber.getStatus() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted while resizing", e);
        }
        return out;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && EXTENSIONS.stream().anyMatch(n::endsWith);
    }
}
