package org.hamkafka.npy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NpyTest {

    @Test
    void aFloatVectorIsNumpysBytes() {
        byte[] b = Npy.floats(new long[]{2}, new float[]{1f, 2f});
        // 10 preamble bytes + a 118-byte header puts the data at offset 128, a multiple of 64
        assertEquals(128 + 8, b.length);
        assertArrayEquals(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(b, 10));
        String header = new String(b, 10, 118, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(118 - 58) + "\n", header);
        // 1.0f = 0x3f800000, 2.0f = 0x40000000, little-endian
        assertArrayEquals(new byte[]{0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40}, Arrays.copyOfRange(b, 128, 136));
    }

    @Test
    void shapesAreWrittenAsPythonTuples() {
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                Npy.header("<i8", new long[]{}).strip());
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }",
                Npy.header("<f4", new long[]{2, 3, 4}).strip());
        for (long[] shape : new long[][]{{}, {7}, {2, 3}, {128, 1, 28, 28}}) {
            assertEquals(0, (Npy.PREAMBLE + Npy.header("<f4", shape).length()) % Npy.ALIGN, Arrays.toString(shape));
        }
        byte[] l = Npy.longs(new long[]{1}, new long[]{-2});
        assertArrayEquals(new byte[]{(byte) 0xfe, -1, -1, -1, -1, -1, -1, -1}, Arrays.copyOfRange(l, 128, 136));
    }

    @Test
    void valuesMustFillTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.floats(new long[]{2, 2}, new float[3]));
        assertEquals("shape [2, 2] holds 4 values, got 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Npy.longs(new long[]{-1}, new long[0]));
    }

    @Test
    void npzEntriesAreStoredWithOneTimestampSoEqualArraysGiveEqualBytes() throws Exception {
        byte[] a = npz();
        assertArrayEquals(a, npz(), "the same arrays, the same archive");
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(a))) {
            ZipEntry e = in.getNextEntry();
            assertEquals("w.npy", e.getName());
            assertEquals(ZipEntry.STORED, e.getMethod());
            assertEquals(NpzWriter.FIXED_ENTRY_TIME, e.getTime(), 2000, "zip times have a 2 s resolution");
            assertArrayEquals(Npy.floats(new long[]{2}, new float[]{1f, 2f}), in.readAllBytes());
            assertEquals("step.npy", in.getNextEntry().getName());
            assertArrayEquals(Npy.longs(new long[]{1}, new long[]{7}), in.readAllBytes());
            assertNull(in.getNextEntry());
        }
    }

    private static byte[] npz() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (NpzWriter w = new NpzWriter(out)) {
            w.put("w", Npy.floats(new long[]{2}, new float[]{1f, 2f})).put("step", Npy.longs(new long[]{1}, new long[]{7}));
        }
        return out.toByteArray();
    }
}
