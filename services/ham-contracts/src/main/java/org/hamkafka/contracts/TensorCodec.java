package org.hamkafka.contracts;

import org.hamkafka.npy.Npy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The wire encoding of a {@link Tensor}: NumPy {@code .npy} format version 1.0 (little-endian
 * {@code <f4} or {@code <i8}, C order), as it is in a binary {@link Envelope}'s body; in version 1's JSON
 * compressed with gzip, then base64 (RFC 4648, with padding), which a Python consumer reads with
 * {@code np.load(io.BytesIO(gzip.decompress(base64.b64decode(s))))}.
 *
 * <p>The {@code .npy} layout: the 6 magic bytes {@code \x93NUMPY}, the version bytes {@code 1, 0},
 * a little-endian uint16 header length, an ASCII header such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces and ending
 * in a newline so that the data starts at a multiple of 64 bytes, then the raw values.
 */
public final class TensorCodec {
    private static final byte[] MAGIC = Npy.MAGIC;
    private static final int PREAMBLE = Npy.PREAMBLE;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private TensorCodec() {
    }

    // ---------------------------------------------------------------- base64(gzip(npy)) strings

    /** base64(gzip(npy)) of the tensor: the {@code data} string of its JSON form. */
    public static String encode(Tensor tensor) {
        return Base64.getEncoder().encodeToString(gzip(toNpy(tensor)));
    }

    /** Decodes a base64(gzip(npy)) string; fails with {@link TensorFormatException} saying what is wrong. */
    public static Tensor decode(String base64) {
        if (base64 == null) {
            throw new TensorFormatException("tensor data is missing");
        }
        byte[] compressed;
        try {
            compressed = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException("tensor data is not valid base64: " + e.getMessage(), e);
        }
        return fromNpy(gunzip(compressed));
    }

    /** Encodes float32 values with a shape (product of shape == data.length). */
    public static String encodeFloats(float[] data, long... shape) {
        return encode(Tensor.ofFloats(shape, data));
    }

    /** Encodes int64 values with a shape (product of shape == data.length). */
    public static String encodeLongs(long[] data, long... shape) {
        return encode(Tensor.ofLongs(shape, data));
    }

    // ---------------------------------------------------------------- raw .npy bytes

    /** The uncompressed {@code .npy} v1.0 bytes of the tensor ({@link Npy}, the project's one writer). */
    public static byte[] toNpy(Tensor tensor) {
        return tensor.dtype() == Tensor.DType.FLOAT32 ? Npy.floats(tensor.shape(), tensor.floats())
                : Npy.longs(tensor.shape(), tensor.longs());
    }

    /** Parses {@code .npy} v1.0 bytes; validates magic, version, header, dtype and data length. */
    public static Tensor fromNpy(byte[] npy) {
        return fromNpy(npy, 0, npy == null ? 0 : npy.length);
    }

    /**
     * Parses the {@code .npy} v1.0 file in {@code npy[offset, offset + length)} (a tensor inside a binary
     * envelope) without copying it out first; validates as {@link #fromNpy(byte[])} does.
     */
    static Tensor fromNpy(byte[] npy, int offset, int length) {
        if (npy == null || length < PREAMBLE) {
            throw new TensorFormatException("npy data is too short (" + (npy == null ? 0 : length)
                    + " bytes) to hold the 10-byte preamble");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (npy[offset + i] != MAGIC[i]) {
                throw new TensorFormatException("npy magic is missing: data does not start with \\x93NUMPY");
            }
        }
        if (npy[offset + 6] != 1 || npy[offset + 7] != 0) {
            throw new TensorFormatException("npy format version " + npy[offset + 6] + "." + npy[offset + 7]
                    + " is not supported; only 1.0 is read");
        }
        ByteBuffer buf = ByteBuffer.wrap(npy, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = Short.toUnsignedInt(buf.getShort(8));
        if (PREAMBLE + headerLen > length) {
            throw new TensorFormatException("npy header length " + headerLen + " runs past the end of the "
                    + length + "-byte data");
        }
        String header = new String(npy, offset + PREAMBLE, headerLen, StandardCharsets.US_ASCII);
        if (!header.startsWith("{") || !header.endsWith("\n")) {
            throw new TensorFormatException("npy header is not a dict ending in a newline: " + header.strip());
        }
        Tensor.DType dtype = Tensor.DType.fromNpyDescr(group(DESCR, header, "descr"));
        if (!"False".equals(group(FORTRAN, header, "fortran_order"))) {
            throw new TensorFormatException("npy data in Fortran order is not supported; write C order");
        }
        long[] shape = parseShape(group(SHAPE, header, "shape"));
        long n = Tensor.elementCount(shape);
        int dataStart = PREAMBLE + headerLen;
        long expected = n * dtype.itemSize();
        long actual = length - dataStart;
        if (actual != expected) {
            throw new TensorFormatException("npy data has " + actual + " bytes but shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype.npyDescr() + " needs " + expected);
        }
        buf.position(dataStart);
        if (dtype == Tensor.DType.FLOAT32) {
            float[] data = new float[(int) n];
            buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return Tensor.ofFloats(shape, data);
        }
        long[] data = new long[(int) n];
        buf.slice().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(data);
        return Tensor.ofLongs(shape, data);
    }

    private static String group(Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new TensorFormatException("npy header has no valid '" + key + "' entry: " + header.strip());
        }
        return m.group(1);
    }

    private static long[] parseShape(String inner) {
        String[] parts = inner.split(",");
        int count = 0;
        long[] dims = new long[parts.length];
        for (String part : parts) {
            String t = part.strip();
            if (t.isEmpty()) {
                continue; // trailing comma of a 1-tuple, or () for a scalar
            }
            try {
                dims[count++] = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new TensorFormatException("npy shape entry '" + t + "' is not an integer", e);
            }
        }
        return java.util.Arrays.copyOf(dims, count);
    }

    // ---------------------------------------------------------------- gzip

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
        // fastest level: tensors are mostly incompressible floats, so a higher level buys little
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gz.write(raw);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] compressed) {
        if (compressed.length < 2 || (compressed[0] & 0xff) != 0x1f || (compressed[1] & 0xff) != 0x8b) {
            throw new TensorFormatException("tensor data is not gzip-compressed (no 1f 8b magic)");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 1 << 16)) {
            return in.readAllBytes();
        } catch (ZipException e) {
            throw new TensorFormatException("tensor data is corrupt gzip: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TensorFormatException("tensor data is truncated gzip: " + e.getMessage(), e);
        }
    }
}
