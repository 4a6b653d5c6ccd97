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
 * build context is the service), so they repeat its values, and this keeps the copies equal: glibc's in every image,
 * jemalloc's in eval-service's (the one image that runs on jemalloc; Dockerfile.jvm says why).
 */
class MallocSettingsTest {
    private static final String JEMALLOC_IMAGE = "eval-service/src/main/docker/Dockerfile.jvm";

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

    @Test
    void evalServicesImagePreloadsTheJemallocTheScriptsDoWithTheirSettings() throws Exception {
        Path repo = repoRoot();
        String script = Files.readString(repo.resolve("scripts/malloc-env.sh"));
        Matcher conf = Pattern.compile("MALLOC_CONF=\"\\$\\{MALLOC_CONF-([^}\"]+)}\"").matcher(script);
        assertTrue(conf.find(), "scripts/malloc-env.sh sets MALLOC_CONF's default as ${MALLOC_CONF-...}");
        assertTrue(conf.group(1).contains("dirty_decay_ms:-1"), "jemalloc keeps its freed pages: " + conf.group(1));
        assertTrue(script.contains("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"), "the script looks for Debian's jemalloc");

        String image = Files.readString(repo.resolve(JEMALLOC_IMAGE));
        Matcher env = Pattern.compile("MALLOC_CONF=\"([^\"]*)\"").matcher(image);
        assertTrue(env.find(), JEMALLOC_IMAGE + " sets MALLOC_CONF");
        assertEquals(conf.group(1), env.group(1), JEMALLOC_IMAGE);
        Matcher preload = Pattern.compile("LD_PRELOAD=(\\S+)").matcher(image);
        assertTrue(preload.find(), JEMALLOC_IMAGE + " sets LD_PRELOAD");
        // the path it preloads is the one the image links the installed library to
        assertTrue(image.contains("apt-get install -y --no-install-recommends libjemalloc2"), JEMALLOC_IMAGE);
        assertTrue(image.contains(")\" " + preload.group(1) + " \\"), "the image links libjemalloc.so.2 to "
                + preload.group(1));
    }

    @Test
    void theScriptPreloadsJemallocWhereItIsInstalledAndGlibcOnRequest() throws Exception {
        Path repo = repoRoot();
        String jemalloc = java.util.stream.Stream.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
                        "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2", "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2")
                .filter(p -> Files.isRegularFile(Path.of(p))).findFirst().orElse("");
        String[] byDefault = source(repo, "");
        assertEquals(jemalloc, byDefault[0], "LD_PRELOAD");
        assertEquals(jemalloc.isEmpty() ? "" : "dirty_decay_ms:-1,muzzy_decay_ms:-1", byDefault[1], "MALLOC_CONF");
        if (jemalloc.isEmpty()) {
            assertTrue(byDefault[2].contains("no libjemalloc.so.2"), byDefault[2]);
        }
        String[] glibc = source(repo, "glibc");
        assertEquals("", glibc[0], "HAM_MALLOC=glibc preloads nothing");
        assertEquals("", glibc[2], "and says nothing");
        String[] bad = source(repo, "tcmalloc");
        assertEquals("exit 2", bad[1], "a HAM_MALLOC it does not know stops the script");
        assertTrue(bad[2].contains("HAM_MALLOC must be jemalloc or glibc; got 'tcmalloc'"), bad[2]);
    }

    /** LD_PRELOAD and MALLOC_CONF after sourcing the script under set -e (or "exit N"), then its stderr. */
    private static String[] source(Path repo, String hamMalloc) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -e; source scripts/malloc-env.sh; "
                + "echo \"${LD_PRELOAD:-}\"; echo \"${MALLOC_CONF:-}\"").directory(repo.toFile());
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove("MALLOC_CONF");
        pb.environment().put("HAM_MALLOC", hamMalloc);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes()).trim();
        int rc = p.waitFor();
        String[] lines = (out + "\n\n").split("\n", -1);
        return rc == 0 ? new String[]{lines[0], lines[1], err} : new String[]{"", "exit " + rc, err};
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
