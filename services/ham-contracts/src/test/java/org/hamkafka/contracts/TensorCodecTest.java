package org.hamkafka.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorCodecTest {

    @Test
    void floatRoundTrip() {
        float[] data = {0f, -1.5f, Float.MIN_VALUE, Float.MAX_VALUE, 0.1f, Float.NaN};
        Tensor back = TensorCodec.decode(TensorCodec.encodeFloats(data, 2, 3));
        assertEquals(Tensor.DType.FLOAT32, back.dtype());
        assertArrayEquals(new long[]{2, 3}, back.shape());
        assertArrayEquals(data, back.floats());
    }

    @Test
    void longRoundTripIncludingScalarAndEmpty() {
        long[] data = {Long.MIN_VALUE, -1, 0, 7, Long.MAX_VALUE};
        assertArrayEquals(data, TensorCodec.decode(TensorCodec.encodeLongs(data, 5)).longs());
        Tensor scalar = TensorCodec.decode(TensorCodec.encodeLongs(new long[]{9}));
        assertArrayEquals(new long[0], scalar.shape());
        assertArrayEquals(new long[]{9}, scalar.longs());
        Tensor empty = TensorCodec.decode(TensorCodec.encodeFloats(new float[0], 0, 1, 28, 28));
        assertArrayEquals(new long[]{0, 1, 28, 28}, empty.shape());
        assertEquals(0, empty.size());
    }

    @Test
    void npyByteLayoutByHand() {
        byte[] npy = TensorCodec.toNpy(Tensor.ofFloats(new long[]{2, 1}, new float[]{1.0f, -2.0f}));
        // magic \x93NUMPY, version 1.0
        assertEquals((byte) 0x93, npy[0]);
        assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, npy[6]);
        assertEquals(0, npy[7]);
        int headerLen = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        String header = new String(npy, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(0, (10 + headerLen) % 64, "data must start on a 64-byte boundary");
        assertEquals(10 + headerLen + 8, npy.length);
        // 1.0f is 0x3f800000, little-endian: 00 00 80 3f; -2.0f is 0xc0000000
        assertArrayEquals(new byte[]{0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0},
                Arrays.copyOfRange(npy, 10 + headerLen, npy.length));

        byte[] longs = TensorCodec.toNpy(Tensor.ofLongs(new long[]{1}, new long[]{258}));
        int hl = (longs[8] & 0xff) | (longs[9] & 0xff) << 8;
        assertTrue(new String(longs, 10, hl, StandardCharsets.US_ASCII).contains("'descr': '<i8'"));
        assertTrue(new String(longs, 10, hl, StandardCharsets.US_ASCII).contains("'shape': (1,)"));
        assertArrayEquals(new byte[]{2, 1, 0, 0, 0, 0, 0, 0}, Arrays.copyOfRange(longs, 10 + hl, longs.length));
    }

    @Test
    void encodedStringIsBase64OfGzip() {
        byte[] gz = Base64.getDecoder().decode(TensorCodec.encodeFloats(new float[]{1f}, 1));
        assertEquals(0x1f, gz[0] & 0xff);
        assertEquals(0x8b, gz[1] & 0xff);
        byte[] npy = TensorCodec.gunzip(gz);
        assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
    }

    @Test
    void readsHeaderAsNumpyWritesIt() {
        // a header in the byte-for-byte form numpy.save writes, including key order and padding
        String header = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
        header = header + " ".repeat(128 - 10 - header.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII)).putLong(4).putLong(5).putLong(6);
        assertArrayEquals(new long[]{4, 5, 6}, TensorCodec.fromNpy(b.array()).longs());
    }

    @Test
    void badTensorsGiveClearErrors() {
        byte[] good = TensorCodec.toNpy(Tensor.ofFloats(new long[]{2}, new float[]{1, 2}));

        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertMessage("magic", () -> TensorCodec.fromNpy(badMagic));

        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        assertMessage("npy data has 7 bytes but shape [2] of <f4 needs 8", () -> TensorCodec.fromNpy(truncated));

        byte[] f8 = new String(good, StandardCharsets.ISO_8859_1).replace("<f4", "<f8").getBytes(StandardCharsets.ISO_8859_1);
        assertMessage("npy dtype '<f8' is not supported", () -> TensorCodec.fromNpy(f8));

        byte[] fortran = new String(good, StandardCharsets.ISO_8859_1).replace("False", "True ")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertMessage("Fortran order", () -> TensorCodec.fromNpy(fortran));

        byte[] v2 = good.clone();
        v2[6] = 2;
        assertMessage("version 2.0 is not supported", () -> TensorCodec.fromNpy(v2));

        assertMessage("not valid base64", () -> TensorCodec.decode("***"));
        assertMessage("not gzip", () -> TensorCodec.decode(Base64.getEncoder().encodeToString(good)));
        byte[] gz = TensorCodec.gzip(good);
        assertMessage("gzip", () -> TensorCodec.decode(Base64.getEncoder().encodeToString(Arrays.copyOf(gz, gz.length - 6))));
        assertMessage("holds 6 elements but 5 values", () -> Tensor.ofFloats(new long[]{2, 3}, new float[5]));
    }

    @Test
    void mnistSizedBatchIsWellUnderOneMegabyte() {
        // 128 x 1 x 28 x 28 pixels k/255 as a data set stores them, one third zero background
        Random rnd = new Random(7);
        float[] px = new float[128 * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = rnd.nextInt(3) == 0 ? 0f : rnd.nextInt(256) / 255f;
        }
        Tensor images = Tensor.ofFloats(new long[]{128, 1, 28, 28}, px);
        String encoded = TensorCodec.encode(images);
        assertTrue(encoded.length() < 600_000, "encoded batch is " + encoded.length() + " bytes");
        assertEquals(images, TensorCodec.decode(encoded));

        // the whole attack request around it, too
        AttackRequest base = Samples.attackRequest();
        long[] ids = new long[128];
        AttackRequest request = new AttackRequest(1, "job", 0, 0, 0, 0, 1, 0, 0, "k", "smallcnn",
                new DatasetSpec("fashion-mnist", 1, 28, 28, 10, null, null, null), base.settings(), 1, ids,
                images, Tensor.ofLongs(new long[]{128}, new long[128]));
        int size = Codec.toBytes(request).length;
        assertTrue(size < 1_000_000 * 0.6, "attack request is " + size + " bytes");
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        TensorFormatException e = assertThrows(TensorFormatException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
