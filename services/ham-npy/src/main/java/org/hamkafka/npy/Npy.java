package org.hamkafka.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * NumPy's {@code .npy} format, version 1.0, as this project writes it: the 6 magic bytes
 * {@code \x93NUMPY}, the version bytes {@code 1, 0}, a little-endian uint16 header length, an ASCII
 * header such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces
 * and ending in a newline so that the data starts at a multiple of 64 bytes, then the raw values in C
 * order. Byte for byte what {@code numpy.save} and DJL's NPZ encoder write.
 */
public final class Npy {
    public static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic, version and header length: the bytes before the header. */
    public static final int PREAMBLE = MAGIC.length + 2 + 2;
    public static final int ALIGN = 64;
    public static final String FLOAT32 = "<f4";
    public static final String INT64 = "<i8";

    private Npy() {
    }

    /** The padded header of an array of {@code descr} (e.g. {@code <f4}) and {@code shape}. */
    public static String header(String descr, long[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        if (shape.length == 1) {
            s.append(','); // a 1-tuple
        }
        s.append("), }");
        int pad = (ALIGN - (PREAMBLE + s.length() + 1) % ALIGN) % ALIGN;
        return s.append(" ".repeat(pad)).append('\n').toString();
    }

    /**
     * The whole file: preamble, header, then the {@code itemSize × Π shape} data bytes, which {@code fill}
     * writes into the little-endian buffer it is given (exactly that size; views such as
     * {@code asFloatBuffer()} are fine).
     */
    public static byte[] write(String descr, long[] shape, int itemSize, Consumer<ByteBuffer> fill) {
        byte[] text = header(descr, shape).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(PREAMBLE + text.length + count(shape) * itemSize))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        fill.accept(buf.slice().order(ByteOrder.LITTLE_ENDIAN));
        return buf.array();
    }

    /** A float32 array ({@code <f4}); {@code values} holds exactly Π shape values. */
    public static byte[] floats(long[] shape, float[] values) {
        requireCount(shape, values.length);
        return write(FLOAT32, shape, Float.BYTES, b -> b.asFloatBuffer().put(values));
    }

    /** An int64 array ({@code <i8}); {@code values} holds exactly Π shape values. */
    public static byte[] longs(long[] shape, long[] values) {
        requireCount(shape, values.length);
        return write(INT64, shape, Long.BYTES, b -> b.asLongBuffer().put(values));
    }

    /** The number of values of an array of this shape. */
    public static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void requireCount(long[] shape, int values) {
        if (count(shape) != values) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count(shape)
                    + " values, got " + values);
        }
    }
}
