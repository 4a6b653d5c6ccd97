package org.hamkafka.core.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Small file helpers shared by the readers. */
final class DataFiles {
    private DataFiles() {
    }

    /** The whole file, un-gzipped when it starts with the gzip magic (1f 8b), whatever its name. */
    static byte[] readMaybeGzipped(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length < 2 || (raw[0] & 0xFF) != 0x1F || (raw[1] & 0xFF) != 0x8B) {
            return raw;
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
            return in.readAllBytes();
        } catch (EOFException e) {
            throw new IOException(file + ": truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt gzip stream (" + e.getMessage() + ")", e);
        }
    }

    /** The first {@code n} bytes of the file's content (decompressed if gzipped), fewer if it is shorter. */
    static byte[] readHead(Path file, int n) throws IOException {
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzipped = raw.read() == 0x1F && raw.read() == 0x8B;
            raw.reset();
            InputStream in = gzipped ? new GZIPInputStream(raw) : raw;
            return in.readNBytes(n);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt gzip stream (" + e.getMessage() + ")", e);
        }
    }

    static int readIntBigEndian(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16) | ((b[offset + 2] & 0xFF) << 8)
                | (b[offset + 3] & 0xFF);
    }

    /** Unsigned bytes to floats in [0,1]. */
    static void toUnitFloats(byte[] src, int srcOffset, float[] dst, int dstOffset, int length) {
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = (src[srcOffset + i] & 0xFF) / 255f;
        }
    }
}
