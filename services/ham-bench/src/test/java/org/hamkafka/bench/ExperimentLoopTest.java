package org.hamkafka.bench;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/experiment.sh's loop (one run per process): the real script, a copy of it in a temporary repository layout,
 * with stand-ins for mvn and java on the PATH; the stand-in java records its options and answers MORE_RUNS twice, then 0.
 */
class ExperimentLoopTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "--resume", "--resume=true", "--resume=false"})
    void laterPassesResumeWithThePlainFlagOnce(String userResume, @TempDir Path dir) throws Exception {
        Path repo = MallocSettingsTest.repoRoot();
        Files.createDirectories(dir.resolve("scripts"));
        for (String s : List.of("scripts/experiment.sh", "scripts/malloc-env.sh")) {
            Files.copy(repo.resolve(s), dir.resolve(s));
        }
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // mvn: writes the classpath file the script reads
        stub(bin.resolve("mvn"), "for a in \"$@\"; do case $a in -Dmdep.outputFile=*) f=${a#-Dmdep.outputFile=};"
                + " mkdir -p services/ham-bench/$(dirname $f); : > services/ham-bench/$f;; esac; done");
        stub(bin.resolve("java"), "n=$(wc -l 2>/dev/null < \"$LOOP_LOG\" || echo 0); echo \"${*:7}\" >> \"$LOOP_LOG\";"
                + " [ \"$n\" -lt 2 ] && exit " + RunSetting.MORE_RUNS + "; exit 0");
        Path log = dir.resolve("passes.log");
        List<String> cmd = new ArrayList<>(List.of("bash", dir.resolve("scripts/experiment.sh").toString()));
        if (!userResume.isEmpty()) {
            cmd.add(userResume);
        }
        cmd.addAll(List.of("--seeds", "3"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("LOOP_LOG", log.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the loop ends");
        assertEquals(0, p.exitValue(), () -> read(dir.resolve("out.txt")));
        List<String> passes = Files.readAllLines(log, StandardCharsets.UTF_8);
        String first = "--run-per-process " + (userResume.isEmpty() ? "" : userResume + " ") + "--seeds 3";
        assertEquals(List.of(first, "--run-per-process --seeds 3 --resume", "--run-per-process --seeds 3 --resume"),
                passes.stream().map(l -> l.substring(l.indexOf("--run-per-process"))).toList(),
                "the first pass takes the options as given, the later ones resume once");
    }

    private static void stub(Path file, String body) throws java.io.IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
