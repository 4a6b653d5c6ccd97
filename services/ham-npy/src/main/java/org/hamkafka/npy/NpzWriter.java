package org.hamkafka.npy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A NumPy {@code .npz} archive: a zip of {@code <name>.npy} entries, stored uncompressed like
 * {@code numpy.savez} and with one fixed timestamp, so that equal arrays give equal bytes (checkpoints
 * are compared by their SHA-256). Readable by {@code numpy.load} and DJL's {@code NDList.decode}.
 */
public final class NpzWriter implements AutoCloseable {
    /** 2000-01-01T00:00:00Z: a timestamp inside the zip DOS-time range, the same for every archive. */
    static final long FIXED_ENTRY_TIME = 946_684_800_000L;

    private final ZipOutputStream zip;

    public NpzWriter(OutputStream out) {
        this.zip = new ZipOutputStream(out);
    }

    /** Adds {@code <name>.npy} holding {@code npy} (the bytes of one .npy file, see {@link Npy}). */
    public NpzWriter put(String name, byte[] npy) {
        CRC32 crc = new CRC32();
        crc.update(npy);
        ZipEntry stored = new ZipEntry(name + ".npy");
        stored.setMethod(ZipEntry.STORED);
        stored.setSize(npy.length);
        stored.setCompressedSize(npy.length);
        stored.setCrc(crc.getValue());
        stored.setTime(FIXED_ENTRY_TIME);
        try {
            zip.putNextEntry(stored);
            zip.write(npy);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException("writing entry '" + name + "' of an .npz archive", e);
        }
        return this;
    }

    /** Writes the central directory; the stream given is flushed, not closed. */
    @Override
    public void close() {
        try {
            zip.finish();
            zip.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("finishing an .npz archive", e);
        }
    }
}
