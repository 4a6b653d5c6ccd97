package org.hamkafka.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a CIFAR-10 folder in the original binary format (data_batch_1..5.bin, test_batch.bin: records of
 * one label byte and 3072 pixel bytes) filled with seeded noise, labels cycling through the 10 classes.
 * Only for dry-running the CIFAR-10 experiment command where the real data set is not installed: the
 * numbers it gives mean nothing.
 */
public final class SyntheticCifar10 {
    private SyntheticCifar10() {
    }

    /** Args: folder, records per training batch file, test records. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: SyntheticCifar10 <folder> <records per data_batch file> <test records>");
            System.exit(2);
        }
        write(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    }

    public static void write(Path dir, int perBatch, int test) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(10);
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), records(r, perBatch, (b - 1) * perBatch));
        }
        Files.write(dir.resolve("test_batch.bin"), records(r, test, 0));
    }

    private static byte[] records(Random r, int n, int first) {
        byte[] out = new byte[n * 3073];
        for (int i = 0; i < n; i++) {
            out[i * 3073] = (byte) ((first + i) % 10);
            byte[] px = new byte[3072];
            r.nextBytes(px);
            System.arraycopy(px, 0, out, i * 3073 + 1, 3072);
        }
        return out;
    }
}
