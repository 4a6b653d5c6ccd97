package org.hamkafka.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where results go and how they name the command that produced them. */
public final class BenchIo {
    /** Set by scripts/bench.sh and scripts/experiment.sh to the exact command line the user typed. */
    static final String COMMAND_ENV = "HAM_BENCH_COMMAND";

    private BenchIo() {
    }

    /** The user's command if a script passed it, else the Java main and its arguments. */
    public static String command(Class<?> main, String[] args) {
        String fromScript = System.getenv(COMMAND_ENV);
        if (fromScript != null && !fromScript.isBlank()) {
            return fromScript;
        }
        return "java " + main.getName() + (args.length == 0 ? "" : " " + String.join(" ", args));
    }

    /**
     * The command that reproduces a result: flags that only skip finished runs (--resume, --aggregate-only)
     * change nothing in it, so they are left out of what the docs quote.
     */
    static String reproducing(String command) {
        // picocli's booleans also come as --flag=true / --flag=false
        return command.replaceAll("\\s+--(resume|aggregate-only|partial|run-per-process)(=(true|false))?(?=\\s|$)", "");
    }

    static void write(Path file, String text) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
