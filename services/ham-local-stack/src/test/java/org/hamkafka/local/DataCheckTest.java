package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCheckTest {
    @TempDir
    Path dir;

    @Test
    void theOptionWinsOverTheEnvironmentWhichWinsOverDebiansFolder() {
        assertEquals(dir.toAbsolutePath(), DataCheck.dataRoot(dir, Map.of("HAM_DATA_DIR", "/elsewhere")));
        assertEquals(Path.of("/elsewhere"), DataCheck.dataRoot(null, Map.of("HAM_DATA_DIR", "/elsewhere")));
        assertEquals(Path.of("/usr/share/datasets"), DataCheck.dataRoot(null, Map.of()));
    }

    @Test
    void namesEachMissingFileAndSaysHowToGetThem() throws Exception {
        Path fm = Files.createDirectories(dir.resolve("fashion-mnist"));
        Files.write(fm.resolve("train-images-idx3-ubyte.gz"), new byte[]{1});
        Files.write(fm.resolve("train-labels-idx1-ubyte"), new byte[]{1}); // uncompressed is accepted too
        List<String> missing = DataCheck.missingFashionMnist(dir);
        assertEquals(List.of(fm.resolve("t10k-images-idx3-ubyte.gz").toString(),
                fm.resolve("t10k-labels-idx1-ubyte.gz").toString()), missing);
        String help = DataCheck.howToGet(dir, missing);
        assertTrue(help.contains("apt-get install dataset-fashion-mnist") && help.contains("HAM_DATA_DIR"), help);

        Files.write(fm.resolve("t10k-images-idx3-ubyte.gz"), new byte[]{1});
        Files.write(fm.resolve("t10k-labels-idx1-ubyte.gz"), new byte[]{1});
        assertTrue(DataCheck.missingFashionMnist(dir).isEmpty());
    }
}
