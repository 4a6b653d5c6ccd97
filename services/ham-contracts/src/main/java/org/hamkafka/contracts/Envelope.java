package org.hamkafka.contracts;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The binary envelope of the messages that carry tensors ({@link SchemaVersion#BINARY}): a small JSON header
 * with the message's fields, then the tensors' raw bytes, so that megabytes of pixels are neither
 * base64-encoded, gzip-compressed nor parsed as JSON. Compression, when wanted, is the Kafka producer's.
 *
 * <pre>
 * offset  size  content
 *      0     4  magic 89 48 41 4d ("\x89HAM": not UTF-8, so never mistaken for JSON)
 *      4     2  schema_version, little-endian uint16
 *      6     4  header length h, little-endian uint32 (at most {@link #MAX_HEADER_BYTES})
 *     10     h  header: UTF-8 JSON object, the message's fields in snake_case as in JSON, except that each
 *               tensor is {"dtype", "shape", "offset", "length"} and each byte string {"offset", "length"}
 * 10 + h  rest  body: the sections those entries point at, offsets relative to the body's start; a tensor's
 *               section is a whole .npy v1.0 file, a byte string's its bytes. Every body byte is in a section.
 * </pre>
 *
 * Jackson reaches the body through a per-call attribute: {@link TensorJson} and {@link BytesJson} write a
 * reference and append to the {@link Writer}, or read their section from the {@link Reader}.
 */
final class Envelope {
    static final byte[] MAGIC = {(byte) 0x89, 'H', 'A', 'M'};
    /** Magic, version and header length: the bytes before the header. */
    static final int PREAMBLE = MAGIC.length + 2 + 4;
    /** A header lists scalars and small arrays (example ids of a shard); anything longer is not a header. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private Envelope() {
    }

    /** True when the bytes start like an envelope (the first magic byte); JSON never starts so. */
    static boolean looksBinary(byte[] bytes) {
        return bytes.length > 0 && bytes[0] == MAGIC[0];
    }

    /** The envelope of a header and the sections its references point at. */
    static byte[] write(int schemaVersion, byte[] header, Writer body) {
        long total = (long) PREAMBLE + header.length + body.length;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a message of " + total + " bytes does not fit one Kafka record");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putShort((short) schemaVersion).putInt(header.length).put(header);
        for (byte[] section : body.sections) {
            out.put(section);
        }
        return out.array();
    }

    /** Where the header and the body of an envelope lie; {@link #read} checks the preamble. */
    record Frame(int schemaVersion, int headerStart, int headerLength) {
        int bodyStart() {
            return headerStart + headerLength;
        }
    }

    /**
     * Reads the preamble of {@code bytes} (which {@link #looksBinary}).
     *
     * @throws MalformedMessageException naming {@code type}: too short for the preamble, bad magic, a header
     *                                   over {@link #MAX_HEADER_BYTES} or past the end of the message
     */
    static Frame read(String type, byte[] bytes) {
        if (bytes.length < PREAMBLE) {
            throw new MalformedMessageException(type + ": truncated binary envelope: " + bytes.length
                    + " bytes, fewer than the " + PREAMBLE + "-byte preamble (magic, schema_version, header length)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new MalformedMessageException(type + ": bad magic " + HexFormat.ofDelimiter(" ")
                        .formatHex(bytes, 0, MAGIC.length) + ": neither JSON nor a binary envelope (89 48 41 4d)");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = Short.toUnsignedInt(in.getShort(4));
        long headerLength = Integer.toUnsignedLong(in.getInt(6));
        if (headerLength > MAX_HEADER_BYTES) {
            throw new MalformedMessageException(type + ": header length " + headerLength + " is over the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (PREAMBLE + headerLength > bytes.length) {
            throw new MalformedMessageException(type + ": truncated binary envelope: header length " + headerLength
                    + " runs past the end of the " + bytes.length + "-byte message");
        }
        return new Frame(version, PREAMBLE, (int) headerLength);
    }

    /** Collects the body while the header is written: each section's offset is the length so far. */
    static final class Writer {
        private final List<byte[]> sections = new ArrayList<>();
        private long length;

        /** Appends a section; returns its offset in the body. */
        long add(byte[] section) {
            long offset = length;
            sections.add(section);
            length += section.length;
            return offset;
        }
    }

    /** The body of an envelope being read: hands out sections after checking their bounds, counts what was read. */
    static final class Reader {
        private final byte[] bytes;
        private final int bodyStart;
        private final int bodyLength;
        private final java.util.List<long[]> sections = new java.util.ArrayList<>();

        Reader(byte[] bytes, Frame frame) {
            this.bytes = bytes;
            this.bodyStart = frame.bodyStart();
            this.bodyLength = bytes.length - bodyStart;
        }

        byte[] bytes() {
            return bytes;
        }

        /**
         * The absolute start, in {@link #bytes()}, of the section {@code [offset, offset + length)} of the body.
         *
         * @throws MalformedMessageException when the section is negative or runs past the body's end
         */
        int section(long offset, long length) {
            if (offset < 0 || length < 0 || offset > bodyLength || length > bodyLength - offset) {
                throw new MalformedMessageException("section [" + offset + ", " + (offset + length)
                        + ") runs past the end of the " + bodyLength + "-byte body (truncated binary envelope?)");
            }
            sections.add(new long[]{offset, offset + length});
            return bodyStart + (int) offset;
        }

        /**
         * Fails unless every body byte belongs to exactly one section: none left over (a body longer than its header
         * says), none claimed twice (two fields reading the same bytes).
         */
        void requireAllReferenced(String type) {
            sections.sort(java.util.Comparator.comparingLong((long[] a) -> a[0]).thenComparingLong(a -> a[1]));
            long end = 0;
            long covered = 0;
            for (long[] sec : sections) {
                if (sec[0] < end) {
                    throw new MalformedMessageException(type + ": sections overlap: [" + sec[0] + ", " + sec[1]
                            + ") starts before the section before it ends at " + end);
                }
                end = sec[1];
                covered += sec[1] - sec[0];
            }
            // disjoint sections inside the body cover all of it exactly when their lengths add up to it
            if (covered != bodyLength) {
                throw new MalformedMessageException(type + ": the body holds " + bodyLength
                        + " bytes but the header's sections cover " + covered);
            }
        }
    }
}
