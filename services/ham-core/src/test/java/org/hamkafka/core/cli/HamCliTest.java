package org.hamkafka.core.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HamCliTest {
    static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = HamCli.run(new PrintWriter(err, true), args);
        return new String[]{String.valueOf(code), err.toString()};
    }

    @Test
    void dropStepNotBelowStepsStopsWithExitCode2NamingTheSetting() {
        String[] r = run("train", "--steps", "10", "--drop-step", "10", "--epochs", "1");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("K'") && r[1].contains("--drop-step"), r[1]);
    }

    @Test
    void negativeEpsAndUnknownMethodAreUsageErrors() {
        String[] r = run("train", "--eps", "-0.1");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("eps"), r[1]);
        r = run("train", "--method", "gairat");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("method"), r[1]);
    }

    @Test
    void missingDataSaysHowToGetIt(@TempDir Path empty) {
        String[] r = run("train", "--data-dir", empty.toString(), "--epochs", "1", "--out", empty.resolve("o").toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("apt-get install dataset-fashion-mnist"), r[1]);
    }

    @Test
    void compareOfUnreadableReportIsAUsageError(@TempDir Path dir) {
        String[] r = run("compare", dir.resolve("a.json").toString(), dir.resolve("b.json").toString());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("a.json"), r[1]);
    }
}
