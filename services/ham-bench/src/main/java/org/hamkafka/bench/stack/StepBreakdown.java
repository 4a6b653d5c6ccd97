package org.hamkafka.bench.stack;

import org.hamkafka.bench.BenchMath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a distributed step's time goes, from the services' own debug timings (written when the stack runs with
 * {@code QUARKUS_LOG_CATEGORY__ORG_HAMKAFKA__LEVEL=DEBUG}): the trainer's wait for the attack results, its
 * training half and the next snapshot + request (export, announce, encode, send); each worker's snapshot load,
 * attack and result send (encode + send). What the trainer waited beyond the worker's work is the rest: the
 * request's and the result's transit, their decoding, and the thread hand-offs on both sides. Medians over the
 * job's steps; one shard per step is assumed for the rest (with more, shards overlap).
 */
final class StepBreakdown {
    private static final Pattern TRAINER = Pattern.compile("job (\\S+) step (\\d+): waited ([0-9.]+) ms for attack "
            + "results, trained ([0-9.]+) ms, next snapshot and request ([0-9.]+) ms");
    private static final Pattern WORKER = Pattern.compile("job (\\S+) step (\\d+) shard \\d+: kept \\d+ of \\d+; digest "
            + "wait ([0-9.]+) ms, snapshot and attack ([0-9.]+) ms \\(attack ([0-9.]+) ms\\), result sent ([0-9.]+) ms");

    /** Medians in ms; {@code steps} is how many steps the trainer's log timed. */
    record Medians(int steps, double waited, double train, double nextRequest, double snapshotLoad, double attack,
                   double resultSend, double rest) {
    }

    private StepBreakdown() {
    }

    /** The job's medians from the logs under {@code logs}, or null when they hold no debug timing of it. */
    static Medians of(Path logs, String jobId) throws IOException {
        List<double[]> trainer = new ArrayList<>();
        List<double[]> worker = new ArrayList<>();
        if (!Files.isDirectory(logs)) {
            return null;
        }
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                boolean isTrainer = f.getFileName().toString().startsWith("trainer");
                boolean isWorker = f.getFileName().toString().startsWith("attack");
                if (!isTrainer && !isWorker) {
                    continue;
                }
                for (String line : Files.readAllLines(f)) {
                    Matcher m = (isTrainer ? TRAINER : WORKER).matcher(line);
                    if (m.find() && m.group(1).equals(jobId)) {
                        double[] v = new double[m.groupCount() - 2];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = Double.parseDouble(m.group(i + 3));
                        }
                        (isTrainer ? trainer : worker).add(v);
                    }
                }
            }
        }
        if (trainer.isEmpty() || worker.isEmpty()) {
            return null;
        }
        double wait = median(trainer, 0);
        double snapshotAndAttack = median(worker, 1);
        double attack = median(worker, 2);
        double send = median(worker, 3);
        return new Medians(trainer.size(), wait, median(trainer, 1), median(trainer, 2),
                snapshotAndAttack - attack, attack, send, wait - snapshotAndAttack - send);
    }

    static double median(List<double[]> rows, int column) {
        return BenchMath.median(rows.stream().mapToDouble(r -> r[column]).toArray());
    }

    /** A markdown table of the medians. */
    static String table(Medians m) {
        return String.format(Locale.ROOT, "| piece (median ms per step, %d steps) | ms |%n| --- | ---: |%n"
                        + "| trainer: next snapshot + request out (export, announce, encode, send) | %.1f |%n"
                        + "| worker: snapshot load (bytes from the announcement or S3, import) | %.1f |%n"
                        + "| worker: attack | %.1f |%n"
                        + "| worker: result encode + send | %.1f |%n"
                        + "| rest: transit both ways, decoding, hand-offs (trainer's wait − the worker's pieces) | %.1f |%n"
                        + "| trainer: waited for the attack results, in all | %.1f |%n"
                        + "| trainer: training half | %.1f |%n",
                m.steps(), m.nextRequest(), m.snapshotLoad(), m.attack(), m.resultSend(), m.rest(), m.waited(), m.train());
    }
}
