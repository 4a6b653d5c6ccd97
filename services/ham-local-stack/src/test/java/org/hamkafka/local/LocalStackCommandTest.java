package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackCommandTest {
    @TempDir
    Path dir;

    @Test
    void missingDataSetExitsThreeBeforeStartingAnything() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        long before = ProcessHandle.current().descendants().count();
        try {
            code = LocalStack.commandLine(new PrintStream(new ByteArrayOutputStream()))
                    .execute("--data-dir", dir.resolve("empty").toString(), "--out", dir.resolve("out").toString());
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(LocalStack.EXIT_DATA_MISSING, code);
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("apt-get install dataset-fashion-mnist") && msg.contains("HAM_DATA_DIR"), msg);
        assertFalse(Files.exists(dir.resolve("out")), "nothing was started, not even the log folder");
        assertEquals(before, ProcessHandle.current().descendants().count(), "no child process");
    }

    @Test
    void badOptionsAreNamedWithTheirRangeAndExitTwo() {
        StringWriter err = new StringWriter();
        var cmd = LocalStack.commandLine(new PrintStream(new ByteArrayOutputStream()));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("--workers", "0", "--epochs", "2", "--warmup-epochs", "2", "--data-dir", dir.toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("--workers must be in 1..32, got 0"), err.toString());
        assertTrue(err.toString().contains("--warmup-epochs must be in 0..1"), err.toString());
    }
}
