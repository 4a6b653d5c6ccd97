package org.hamkafka.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import org.hamkafka.npy.Npy;
import org.hamkafka.npy.NpzWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classifier's weights as a NumPy {@code .npz} archive (a zip of {@code <key>.npy} files, readable by
 * {@code numpy.load}), decoded with DJL's {@link NDList} NPZ support and written in the same bytes.
 *
 * <p>Keys are DJL's parameter names from {@code block.getParameters()}, e.g.
 * {@code 02Conv2d_weight}, {@code 03BatchNorm_runningMean},
 * {@code 05SequentialBlock_03ParallelBlock_02Conv2d_weight}: the path of child blocks (1-based
 * position + block type) joined by "_", then the parameter name (weight, bias, gamma, beta,
 * runningMean, runningVar). Entries are written in that order, which is the forward order of the
 * layers. BatchNorm running statistics are included, so an imported model predicts exactly as the
 * exported one. docs/weights.md explains how to load the archive into PyTorch.
 */
public final class ModelWeights {
    private ModelWeights() {
    }

    /**
     * Writes every parameter of f (trainable ones and BatchNorm running statistics) as .npz. The
     * bytes depend only on the weights, so equal weights give an equal {@link #sha256} ({@link NpzWriter}:
     * entries uncompressed like {@code numpy.savez}, with a fixed timestamp).
     *
     * <p>The {@code .npy} entries are {@link Npy}'s, byte for byte what DJL's {@code NDList.encode(NPZ)}
     * holds (ModelWeightsTest checks that against DJL), stored uncompressed: DJL deflates every entry, which
     * for SmallCNN's 5 MB costs ~185 ms per snapshot (one per training step).
     */
    public static void exportNpz(Classifier f, OutputStream out) {
        try (NpzWriter npz = new NpzWriter(out)) {
            putEntries(f, npz);
        }
    }

    /** Adds every parameter of f to {@code npz} as {@link #exportNpz} writes them (for archives that hold more). */
    public static void putEntries(Classifier f, NpzWriter npz) {
        for (Pair<String, Parameter> p : f.block().getParameters()) {
            npz.put(p.getKey(), npy(p.getKey(), p.getValue().getArray()));
        }
    }

    /** One {@code .npy} (little-endian float32, C order) of a parameter's values. */
    private static byte[] npy(String name, NDArray a) {
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("parameter '" + name + "' is " + a.getDataType()
                    + "; weights are exported as float32");
        }
        ByteBuffer values = a.toByteBuffer().order(ByteOrder.nativeOrder());
        return Npy.write(Npy.FLOAT32, a.getShape().getShape(), Float.BYTES, data -> {
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                data.put(values);
            } else {
                data.asFloatBuffer().put(values.asFloatBuffer()); // '<f4' is little-endian whatever the host
            }
        });
    }

    /** {@link #exportNpz(Classifier, OutputStream)} into a byte array (for a checkpoint object). */
    public static byte[] exportNpz(Classifier f) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        exportNpz(f, bytes);
        return bytes.toByteArray();
    }

    /**
     * Loads weights written by {@link #exportNpz} into f, in place. All or nothing: every key is
     * checked (present, same shape and type, no extra key) before the first value is written.
     *
     * @throws IllegalArgumentException "corrupt weights: ..." when the bytes are not a complete .npz;
     *                                  otherwise a message naming the missing, extra or mis-shaped parameter
     */
    public static void importNpz(Classifier f, InputStream in) {
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading weights for '" + f.arch() + "'", e);
        }
        requireCompleteZip(bytes);
        try (NDManager tmp = f.manager().newSubManager(Device.cpu())) {
            NDList list;
            try {
                list = NDList.decode(tmp, new ByteArrayInputStream(bytes));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("corrupt weights: cannot decode the .npz archive ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
            }
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : list) {
                if (a.getName() == null || byName.put(a.getName(), a) != null) {
                    throw new IllegalArgumentException("corrupt weights: unnamed or repeated entry '" + a.getName() + "'");
                }
            }
            ParameterList params = f.block().getParameters();
            List<String> missing = new ArrayList<>();
            for (Pair<String, Parameter> p : params) {
                NDArray src = byName.get(p.getKey());
                if (src == null) {
                    missing.add(p.getKey());
                    continue;
                }
                NDArray dst = p.getValue().getArray();
                if (!dst.getShape().equals(src.getShape()) || dst.getDataType() != src.getDataType()) {
                    throw new IllegalArgumentException("weights do not fit model '" + f.arch() + "': parameter '"
                            + p.getKey() + "' is " + dst.getDataType() + dst.getShape() + " in the model but "
                            + src.getDataType() + src.getShape() + " in the file");
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("weights do not fit model '" + f.arch() + "': missing parameter"
                        + (missing.size() > 1 ? "s " : " ") + summarize(missing));
            }
            if (byName.size() != params.size()) {
                List<String> extra = new ArrayList<>(byName.keySet());
                for (Pair<String, Parameter> p : params) {
                    extra.remove(p.getKey());
                }
                throw new IllegalArgumentException("weights do not fit model '" + f.arch() + "': unexpected key"
                        + (extra.size() > 1 ? "s " : " ") + summarize(extra));
            }
            for (Pair<String, Parameter> p : params) {
                Classifier.assign(p.getKey(), p.getValue().getArray(), byName.get(p.getKey()));
            }
        }
    }

    /** Lower-case hex SHA-256 of the bytes (checkpoint integrity). */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /**
     * A zip starts with a local file header and ends with an end-of-central-directory record. A
     * truncated archive loses the latter; DJL's streaming reader would otherwise quietly return the
     * entries before the cut.
     */
    private static void requireCompleteZip(byte[] b) {
        if (b.length < 22) {
            throw new IllegalArgumentException("corrupt weights: " + b.length + " bytes is too short for a .npz archive");
        }
        boolean localHeader = b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
        boolean empty = b[0] == 'P' && b[1] == 'K' && b[2] == 5 && b[3] == 6;
        if (!localHeader && !empty) {
            throw new IllegalArgumentException("corrupt weights: not a NumPy .npz (zip) archive");
        }
        // the record is 22 bytes plus a comment of up to 65535 bytes
        int lowest = Math.max(0, b.length - 22 - 65535);
        for (int i = b.length - 22; i >= lowest; i--) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 5 && b[i + 3] == 6) {
                int commentLength = (b[i + 20] & 0xff) | (b[i + 21] & 0xff) << 8;
                if (i + 22 + commentLength == b.length) {
                    return;
                }
            }
        }
        throw new IllegalArgumentException("corrupt weights: the .npz archive is truncated (no end-of-central-directory record)");
    }

    private static String summarize(List<String> names) {
        int show = Math.min(names.size(), 5);
        String s = String.join(", ", names.subList(0, show));
        return names.size() > show ? s + " and " + (names.size() - show) + " more" : s;
    }
}
