package org.hamkafka.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.Topics;
import org.hamkafka.infra.LocalInfra;

/** The text the launcher prints at the end: the class-wise table, the training cost, where the results live. */
public final class Report {
    private Report() {
    }

    /**
     * Clean and robust accuracy per class, the class with the lowest robust accuracy marked, then average,
     * worst, best, std and nstd of each column.
     */
    public static String classWiseTable(EvalResult r) {
        List<String> headers = new ArrayList<>(List.of("class", "clean", "robust " + r.attack()));
        List<ClassAccuracy> columns = new ArrayList<>(List.of(r.cleanAccuracy(), r.robustAccuracy()));
        for (Map.Entry<String, ClassAccuracy> e : r.robustByAttack().entrySet()) {
            if (!e.getKey().equals(r.attack())) { // the headline has its column already
                headers.add("robust " + e.getKey());
                columns.add(e.getValue());
            }
        }
        int nameWidth = Math.max(12, r.classes().stream().mapToInt(String::length).max().orElse(0));
        int colWidth = Math.max(8, headers.stream().skip(1).mapToInt(String::length).max().orElse(0));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s", headers.get(0)));
        for (String h : headers.subList(1, headers.size())) {
            sb.append("  ").append(String.format(Locale.ROOT, "%" + colWidth + "s", h));
        }
        sb.append('\n');
        int worstRobust = indexOfWorst(r.robustAccuracy().perClass());
        int worstClean = indexOfWorst(r.cleanAccuracy().perClass());
        for (int c = 0; c < r.classes().size(); c++) {
            sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s", r.classes().get(c)));
            for (ClassAccuracy a : columns) {
                sb.append("  ").append(String.format(Locale.ROOT, "%" + colWidth + ".3f", a.perClass()[c]));
            }
            if (c == worstRobust) {
                sb.append("  <- worst robust");
            }
            if (c == worstClean) {
                sb.append(c == worstRobust ? ", worst clean" : "  <- worst clean");
            }
            sb.append('\n');
        }
        sb.append("-".repeat(nameWidth + columns.size() * (colWidth + 2))).append('\n');
        appendRow(sb, "average", nameWidth, colWidth, columns, ClassAccuracy::average);
        appendRow(sb, "worst", nameWidth, colWidth, columns, ClassAccuracy::worst);
        appendRow(sb, "best", nameWidth, colWidth, columns, ClassAccuracy::best);
        appendRow(sb, "std", nameWidth, colWidth, columns, ClassAccuracy::std);
        appendRow(sb, "nstd", nameWidth, colWidth, columns, ClassAccuracy::nstd);
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String label, int nameWidth, int colWidth,
                                  List<ClassAccuracy> columns, java.util.function.ToDoubleFunction<ClassAccuracy> f) {
        sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s", label));
        for (ClassAccuracy a : columns) {
            sb.append("  ").append(String.format(Locale.ROOT, "%" + colWidth + ".3f", f.applyAsDouble(a)));
        }
        sb.append('\n');
    }

    /** First index of the lowest value (ties: the first class, as ClassAccuracy.worstClass does). */
    static int indexOfWorst(double[] values) {
        int worst = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[worst]) {
                worst = i;
            }
        }
        return worst;
    }

    public static String cost(JobRun.Outcome o) {
        SystemTopics.AttackCost c = o.cost();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "training time      %s%n",
                Double.isNaN(o.trainSeconds()) ? "unknown" : String.format(Locale.ROOT, "%.1f s", o.trainSeconds())));
        sb.append(String.format(Locale.ROOT, "attacked examples  %d in %d shards (%.1f s of worker time)%n",
                c.examplesIn(), c.shards(), c.workerMillis() / 1000));
        sb.append(String.format(Locale.ROOT, "attack passes      %d forward + %d backward example-rows "
                + "(%.2f backward passes per example)%n", c.forwardRows(), c.backwardRows(), c.backwardPassesPerExample()));
        sb.append(String.format(Locale.ROOT, "dropped examples   %d of %d (%.1f%%, HAM's early drop)%n",
                c.dropped(), c.examplesIn(), c.examplesIn() == 0 ? 0.0 : 100.0 * c.dropped() / c.examplesIn()));
        return sb.toString();
    }

    public static String whereResultsLive(Stack stack, JobRun.Outcome o, boolean keptRunning) {
        String id = o.jobId();
        LocalInfra infra = stack.infra();
        StringBuilder sb = new StringBuilder();
        sb.append(keptRunning ? "Results (the stack keeps running; Ctrl-C stops it):\n"
                : "Results (these servers stop with this command; use --keep-running to explore them;"
                + " copies are in " + stack.settings().outDir() + "):\n");
        sb.append("  trainer   GET ").append(stack.trainer().url()).append("/jobs/").append(id)
                .append("   (events: /jobs/").append(id).append("/events, API: ")
                .append(stack.trainer().url()).append("/q/swagger-ui)\n");
        sb.append("  eval      GET ").append(stack.eval().url()).append("/results/").append(id).append("/latest")
                .append("   (all epochs: /results?job=").append(id).append(")\n");
        sb.append("  dashboard ").append(stack.eval().url()).append("/dashboard/jobs/").append(id)
                .append("   (paste the token below at ").append(stack.eval().url()).append("/dashboard/token)\n");
        try {
            sb.append("  token     -H \"Authorization: Bearer $(cat ").append(stack.tokenFile())
                    .append(")\" on every REST call (an operator's, this stack's only)\n");
        } catch (java.io.IOException e) {
            sb.append("  token     not written (").append(e.getMessage()).append(")\n");
        }
        sb.append("  Kafka     topic ").append(Topics.EVAL_RESULTS).append(" (key ").append(id).append(") at ")
                .append(stack.bootstrapServers()).append("; progress on ").append(Topics.TRAINING_PROGRESS).append('\n');
        sb.append("  S3        ").append(infra.s3().endpoint()).append(" bucket ").append(infra.bucket())
                .append(", checkpoint ").append(o.eval().checkpointKey())
                .append(" (local dev keys: ").append(infra.s3().accessKey()).append(" / ")
                .append(infra.s3().secretKey()).append(")\n");
        sb.append("  Postgres  ").append(stack.jdbcUrl(StackSettings.TRAINER_DB)).append(" (jobs), ")
                .append(stack.jdbcUrl(StackSettings.EVAL_DB)).append(" (table eval_results)")
                .append(", user ").append(infra.postgres().username()).append(" / ")
                .append(infra.postgres().password()).append(" (local dev only)\n");
        sb.append("  logs      ").append(stack.settings().outDir().resolve("logs")).append('\n');
        return sb.toString();
    }

    /** Where each service and server of a running stack answers, and how to call them with its token. */
    public static String endpoints(Stack stack) {
        StringBuilder sb = new StringBuilder();
        sb.append("trainer  ").append(stack.trainer().url()).append("/jobs  (API: ").append(stack.trainer().url())
                .append("/q/swagger-ui)\n");
        for (ServiceProcess w : stack.attackWorkers()) {
            sb.append("attack   ").append(w.url()).append("  (").append(w.name()).append(")\n");
        }
        sb.append("eval     ").append(stack.eval().url()).append("/results?job=<id>\n");
        sb.append("dashboard ").append(stack.eval().url()).append("/dashboard  (sign in with the token below at ")
                .append(stack.eval().url()).append("/dashboard/token)\n");
        sb.append("Kafka    ").append(stack.bootstrapServers()).append('\n');
        sb.append("S3       ").append(stack.infra().s3().endpoint()).append(" bucket ").append(stack.infra().bucket())
                .append('\n');
        sb.append("Postgres ").append(stack.jdbcUrl(StackSettings.TRAINER_DB)).append(", ")
                .append(stack.jdbcUrl(StackSettings.EVAL_DB)).append('\n');
        sb.append("logs     ").append(stack.settings().outDir().resolve("logs")).append('\n');
        try {
            sb.append("token    the REST APIs take this stack's operator token: curl -H \"Authorization: Bearer $(cat ")
                    .append(stack.tokenFile()).append(")\" ").append(stack.trainer().url()).append("/jobs\n");
        } catch (java.io.IOException e) {
            sb.append("token    could not be written to the run folder (").append(e.getMessage()).append(")\n");
        }
        return sb.toString();
    }
}
