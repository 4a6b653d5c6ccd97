package org.hamkafka.bench.stack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hamkafka.local.DataCheck;
import org.hamkafka.local.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reliability suite at CI's size, on the real services from their fast-jars: every fault injected while one
 * job trains, and the system holds (the table goes to target/reliability.md; scripts/reliability.sh runs the
 * larger one for docs/reliability.md).
 */
class ReliabilityIT {
    @Test
    @Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
    void everyFaultIsSurvivedAndNothingIsLost() throws Exception {
        Path repo = Path.of(System.getProperty("ham.repo.dir", "../.."));
        Path out = Path.of("target/reliability");
        Path data = DataCheck.dataRoot(null, System.getenv());
        List<String> missing = DataCheck.missingFashionMnist(data);
        assertTrue(missing.isEmpty(), () -> DataCheck.howToGet(data, missing) + "\n(scripts/setup.sh installs it)");
        try (Stack stack = new Stack(ReliabilityMain.settings(repo, out, data), System.out)) {
            stack.start();
            stack.supervise(Duration.ofSeconds(1), 3);
            ReliabilitySuite.Outcome o = new ReliabilitySuite(stack, new ReliabilitySuite.Plan(3, 1024, 8, 4, 150,
                    Duration.ofMinutes(8), 1), System.out).run();
            Files.writeString(Path.of("target/reliability.md"), o.markdown());
            System.out.println(o.markdown());
            assertTrue(o.allHeld(), o.markdown());
        }
    }
}
