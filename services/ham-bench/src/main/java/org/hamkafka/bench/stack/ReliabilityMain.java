package org.hamkafka.bench.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hamkafka.bench.BenchMath;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.local.DataCheck;
import org.hamkafka.local.Stack;
import org.hamkafka.local.StackOptions;
import org.hamkafka.local.StackSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code bash scripts/bench.sh reliability}: the reliability suite on a supervised local stack, its table written down. */
@Command(name = "reliability", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Injects faults into a local stack while one HAM job trains and prints what held.")
public final class ReliabilityMain implements Callable<Integer> {
    /** The job settings this command takes (options made from PartialConfig), with its own defaults. */
    @Mixin
    SettingsMixin jobSettings = SettingsMixin.of("epochs", "trainSubset")
            .defaults(p -> {
                p.epochs = 4;
                p.trainSubset = 2048;
            });
    @Option(names = "--malformed", defaultValue = "25", description = "malformed records per topic (default ${DEFAULT-VALUE})")
    int malformed;
    @Option(names = "--unknown-jobs", defaultValue = "14", description = "attack requests for unknown jobs (default ${DEFAULT-VALUE})")
    int unknownJobs;
    @Option(names = "--fuzz", defaultValue = "500", description = "random REST requests (default ${DEFAULT-VALUE})")
    int fuzz;
    @Mixin
    StackOptions where;
    @Option(names = "--results", defaultValue = "bench-results", description = "where reliability.md goes (default ${DEFAULT-VALUE})")
    Path results;
    @Option(names = "--out", defaultValue = "out/reliability", description = "service logs (default ${DEFAULT-VALUE})")
    Path out;

    private String[] args = new String[0];

    public static void main(String[] args) {
        ReliabilityMain m = new ReliabilityMain();
        m.args = args;
        System.exit(new CommandLine(m).execute(args));
    }

    /**
     * Two attack workers; the trainer resends after 30 s (not 2 min) and writes resume states every 2 steps, so
     * the kills cost seconds, not minutes; cheap evaluation (FGSM on 100).
     */
    public static StackSettings settings(Path repo, Path out, Path data) {
        return new StackSettings(repo, out, data, 2, 0, 0, 0, 4, "fgsm", 100, Duration.ofMinutes(3),
                List.of("-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true", "-XX:TieredStopAtLevel=1"),
                Map.of("HAM_ATTACK_THREADS", "1"),
                Map.of("HAM_TRAINER_ATTACK_TIMEOUT", "PT30S", "HAM_TRAINER_STATE_EVERY_STEPS", "2"));
    }

    @Override
    public Integer call() throws Exception {
        Path data = where.dataRoot();
        List<String> missing = DataCheck.missingFashionMnist(data);
        if (!missing.isEmpty()) {
            System.err.println(DataCheck.howToGet(data, missing));
            return 3;
        }
        String loadBefore = BenchMath.loadAverage();
        ReliabilitySuite.Outcome o;
        try (Stack stack = new Stack(settings(where.repoDir(), out, data), System.out)) {
            stack.start();
            stack.supervise(Duration.ofSeconds(1), 3);
            o = new ReliabilitySuite(stack, new ReliabilitySuite.Plan(jobSettings.values().epochs, jobSettings.values().trainSubset, malformed, unknownJobs, fuzz,
                    Duration.ofMinutes(30), 1), System.out).run();
        }
        ResultHeader header = ResultHeader.now(ReliabilityMain.class, args, loadBefore);
        String md = header.markdown("Reliability: faults injected while a job trains") + o.markdown();
        Files.createDirectories(results);
        Files.writeString(results.resolve("reliability.md"), md);
        System.out.println(md);
        return o.allHeld() ? 0 : 1;
    }
}
