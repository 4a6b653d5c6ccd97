package org.hamkafka.contracts;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.Arrays;

/**
 * A dense tensor in C (row-major) order: float32 images or int64 labels/ids. In a binary {@link Envelope}'s header
 * it is {@code {"dtype": "float32", "shape": [n, c, h, w], "offset", "length"}}, its {@code .npy} bytes in the body;
 * in version 1's JSON {@code {"dtype", "shape", "data": "<base64 of gzip of .npy>"}}; see {@link TensorCodec}.
 * Immutable by convention: the arrays are not copied, do not modify them.
 */
@JsonSerialize(using = TensorJson.Serializer.class)
@JsonDeserialize(using = TensorJson.Deserializer.class)
public final class Tensor {

    /** Element types carried on the wire, with their NumPy descriptor (little-endian). */
    public enum DType {
        FLOAT32("float32", "<f4", Float.BYTES),
        INT64("int64", "<i8", Long.BYTES);

        private final String jsonName;
        private final String npyDescr;
        private final int itemSize;

        DType(String jsonName, String npyDescr, int itemSize) {
            this.jsonName = jsonName;
            this.npyDescr = npyDescr;
            this.itemSize = itemSize;
        }

        /** The name used in JSON: {@code float32} or {@code int64}. */
        public String jsonName() {
            return jsonName;
        }

        /** The NumPy {@code descr}: {@code <f4} or {@code <i8}. */
        public String npyDescr() {
            return npyDescr;
        }

        public int itemSize() {
            return itemSize;
        }

        public static DType fromJsonName(String name) {
            for (DType t : values()) {
                if (t.jsonName.equals(name)) {
                    return t;
                }
            }
            throw new TensorFormatException("tensor dtype '" + name + "' is not supported; allowed: float32, int64");
        }

        public static DType fromNpyDescr(String descr) {
            for (DType t : values()) {
                if (t.npyDescr.equals(descr)) {
                    return t;
                }
            }
            throw new TensorFormatException(
                    "npy dtype '" + descr + "' is not supported; allowed: '<f4' (float32), '<i8' (int64)");
        }
    }

    private final DType dtype;
    private final long[] shape;
    private final float[] floats;
    private final long[] longs;

    private Tensor(DType dtype, long[] shape, float[] floats, long[] longs) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        long n = elementCount(shape);
        int length = floats != null ? floats.length : longs.length;
        if (n != length) {
            throw new TensorFormatException("tensor shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but " + length + " values were given");
        }
    }

    /** A float32 tensor; {@code data.length} must equal the product of {@code shape}. */
    public static Tensor ofFloats(long[] shape, float[] data) {
        if (shape == null || data == null) {
            throw new IllegalArgumentException("shape and data must not be null");
        }
        return new Tensor(DType.FLOAT32, shape, data, null);
    }

    /** An int64 tensor; {@code data.length} must equal the product of {@code shape}. */
    public static Tensor ofLongs(long[] shape, long[] data) {
        if (shape == null || data == null) {
            throw new IllegalArgumentException("shape and data must not be null");
        }
        return new Tensor(DType.INT64, shape, null, data);
    }

    /** An int64 tensor from int values (labels), widened. */
    public static Tensor ofInts(long[] shape, int[] data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        long[] wide = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            wide[i] = data[i];
        }
        return ofLongs(shape, wide);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (product of the shape). */
    public int size() {
        return floats != null ? floats.length : longs.length;
    }

    /** The float32 values in C order (not a copy). */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor dtype is " + dtype.jsonName + ", not float32");
        }
        return floats;
    }

    /** The int64 values in C order (not a copy). */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor dtype is " + dtype.jsonName + ", not int64");
        }
        return longs;
    }

    /** The int64 values narrowed to int (labels, indices); fails on a value outside the int range. */
    public int[] ints() {
        long[] v = longs();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new TensorFormatException("tensor shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new TensorFormatException("tensor shape " + Arrays.toString(shape) + " is too large for one message");
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Tensor t)) {
            return false;
        }
        return dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(floats, t.floats)
                && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(floats) + Arrays.hashCode(longs);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype.jsonName + " " + Arrays.toString(shape) + "]";
    }
}
