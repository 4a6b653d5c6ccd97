package org.hamkafka.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/malloc-env.sh owns the malloc settings the CPU paths run with; the service images cannot source it (their
 * build context is the service), so they repeat its value, and this keeps the copies equal.
 */
class MallocSettingsTest {
    private static final List<String> IMAGES = List.of("trainer-service/src/main/docker/Dockerfile.jvm",
            "eval-service/src/main/docker/Dockerfile.jvm", "attack-service/src/main/docker/Dockerfile.jvm",
            "attack-service/src/main/docker/Dockerfile.gpu");

    @Test
    void everyServiceImageSetsTheScriptsMallocSettings() throws Exception {
        Path repo = repoRoot();
        Matcher script = Pattern.compile("GLIBC_TUNABLES=\"\\$\\{GLIBC_TUNABLES-([^}\"]+)}\"")
                .matcher(Files.readString(repo.resolve("scripts/malloc-env.sh")));
        assertTrue(script.find(), "scripts/malloc-env.sh sets GLIBC_TUNABLES' default as ${GLIBC_TUNABLES-...}");
        String value = script.group(1);
        for (String tunable : new String[]{"mmap_threshold", "trim_threshold", "top_pad"}) {
            assertTrue(value.contains("glibc.malloc." + tunable + "="), tunable + " in " + value);
        }
        for (String image : IMAGES) {
            Matcher env = Pattern.compile("GLIBC_TUNABLES=\"([^\"]*)\"").matcher(Files.readString(repo.resolve(image)));
            assertTrue(env.find(), image + " sets GLIBC_TUNABLES");
            assertEquals(value, env.group(1), image);
        }
    }

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/malloc-env.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no scripts/malloc-env.sh above " + Path.of("").toAbsolutePath());
    }
}
