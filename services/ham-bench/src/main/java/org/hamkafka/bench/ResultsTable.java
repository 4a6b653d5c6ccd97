package org.hamkafka.bench;

import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.train.TrainingCost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The experiment's table from the runs' report.json files: one row per method, mean ± sd over seeds
 * (sample standard deviation; "±0" style is left out for a single seed) of clean and robust
 * (per evaluation attack) average and worst-class accuracy, training time and attack passes, with the
 * worst class named.
 */
public final class ResultsTable {
    private ResultsTable() {
    }

    /** Reports grouped by variant label, in the order of {@link Variant#ALL}, then any others. */
    public static Map<String, List<Report>> group(List<Report> reports) {
        Map<String, List<Report>> byLabel = new LinkedHashMap<>();
        for (Variant v : Variant.ALL) {
            byLabel.put(v.label(), new ArrayList<>());
        }
        for (Report r : reports) {
            String label = r.settings() == null ? r.method() : Variant.labelOf(r.settings());
            byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(r);
        }
        byLabel.values().removeIf(List::isEmpty);
        return byLabel;
    }

    /**
     * Which runs trained on which CPU, from their training costs: the machine line names where the table was written,
     * and runs resumed or continued elsewhere (a trunk, a cut-short branch) may have trained on others.
     */
    static String trainingCpus(List<Report> reports) {
        Map<String, List<String>> runsOf = new LinkedHashMap<>();
        for (Report r : reports) {
            List<String> cpus = r.trainingCost() == null ? null : r.trainingCost().cpus();
            String label = r.settings() == null ? r.method()
                    : Variant.labelOf(r.settings()) + " seed " + r.settings().seed;
            runsOf.computeIfAbsent(cpus == null ? "not recorded" : String.join(" then ", cpus), k -> new ArrayList<>())
                    .add(label);
        }
        StringBuilder b = new StringBuilder("Training CPUs (training times compare only on one CPU): ");
        runsOf.forEach((cpu, runs) -> b.append(cpu).append(": ").append(String.join(", ", runs)).append("; "));
        return b.substring(0, b.length() - 2) + ".";
    }

    /** "mean ± sd" in percent (sd left out for one value). */
    static String percent(List<Report> rs, ToDoubleFunction<Report> f) {
        double[] v = rs.stream().mapToDouble(f).toArray();
        return rs.size() == 1 ? String.format(Locale.ROOT, "%.1f", 100 * v[0])
                : String.format(Locale.ROOT, "%.1f ± %.1f", 100 * mean(v), 100 * sd(v));
    }

    static String plain(List<Report> rs, ToDoubleFunction<Report> f, String fmt) {
        double[] v = rs.stream().mapToDouble(f).toArray();
        return rs.size() == 1 ? String.format(Locale.ROOT, fmt, v[0])
                : String.format(Locale.ROOT, fmt + " ± " + fmt, mean(v), sd(v));
    }

    /** Mean ± sd of the training CPU seconds over the runs that recorded them, "—" for none, "(k of n)" if not all. */
    static String cpuSeconds(List<Report> rs) {
        List<Report> with = rs.stream()
                .filter(r -> r.trainingCost() != null && r.trainingCost().cpuSeconds() != null).toList();
        if (with.isEmpty()) {
            return "—";
        }
        String v = plain(with, r -> r.trainingCost().cpuSeconds(), "%.0f");
        return with.size() == rs.size() ? v : v + " (" + with.size() + " of " + rs.size() + ")";
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n − 1); 0 for one value. */
    static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** The worst classes across seeds with how often each was worst, most frequent first: "Shirt (2)". */
    static String worstClasses(List<Report> rs, java.util.function.Function<Report, FairnessMetrics> metric) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Report r : rs) {
            counts.merge(metric.apply(r).worstClass(), 1, Integer::sum);
        }
        return counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .map(e -> rs.size() == 1 ? e.getKey() : e.getKey() + " (" + e.getValue() + ")")
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Attack passes of a run in batch-rows: attack forward + attack backward. */
    static double attackRows(Report r) {
        TrainingCost c = r.trainingCost();
        return c == null ? Double.NaN : c.attackForwardRows() + c.attackBackwardRows();
    }

    /**
     * @param attacks the robust columns, e.g. pgd-20, cw-20 (each report must have them)
     */
    public static String markdown(List<Report> reports, List<String> attacks, String machine, String command,
                                  String setup) {
        return markdown(reports, attacks, null, machine, command, setup);
    }

    /**
     * @param strong per report (same order) its strong evaluation (AutoAttack with PGD-20 on a test subset), or
     *               null for no strong columns; its headline (the worst case) is shown as "strong"
     */
    public static String markdown(List<Report> reports, List<String> attacks, List<Report> strong, String machine,
                                  String command, String setup) {
        Map<Report, Report> strongOf = new java.util.IdentityHashMap<>();
        if (strong != null) {
            for (int i = 0; i < reports.size(); i++) {
                strongOf.put(reports.get(i), strong.get(i));
            }
        }
        Map<String, List<Report>> groups = group(reports);
        StringBuilder b = new StringBuilder();
        b.append("# Results: robust fairness on ").append(reports.isEmpty() ? "?" : reports.get(0).dataset())
                .append("\n\n");
        b.append("Machine: ").append(machine).append("  \nCommand: `").append(command).append("`  \n");
        b.append(setup).append("\n\n").append(trainingCpus(reports)).append("\n\n");
        b.append("Accuracies in %, mean ± sample sd over seeds; worst = the worst class's accuracy. Training time is "
                + "wall-clock seconds of the training loop (evaluation excluded) and CPU s the process's CPU seconds over "
                + "the same span (all threads, over the seeds that recorded it; less sensitive than wall time to other load "
                + "on the machine, not immune to it: shared cores and caches slow a CPU second too); attack passes are the training attacks' forward + backward batch-rows. "
                + "nstd is the per-class accuracies' standard deviation over their mean (0: every class alike).\n\n");
        b.append("| method | seeds | clean avg | clean worst");
        for (String a : attacks) {
            b.append(" | ").append(name(a)).append(" avg | ").append(name(a)).append(" worst");
        }
        String strongName = strong == null ? null : strong.stream().filter(java.util.Objects::nonNull)
                .map(r -> r.attacks().keySet().stream().filter(a -> a.startsWith("autoattack")).findFirst().orElse(r.attack()))
                .findFirst().orElse("autoattack");
        if (strong != null) {
            b.append(" | ").append(strongName).append(" avg | ").append(strongName).append(" worst | strong (worst case) avg"
                    + " | strong worst | strong nstd | worst class (strong)");
        }
        b.append(" | worst class (").append(attacks.isEmpty() ? "clean" : name(attacks.get(0)))
                .append(") | training s | CPU s | attack passes (rows) |\n");
        b.append("| --- | ---: | ---: | ---:").append(" | ---: | ---:".repeat(attacks.size()))
                .append(strong == null ? "" : " | ---: | ---: | ---: | ---: | ---: | ---").append(" | --- | ---: | ---: | ---: |\n");
        for (Map.Entry<String, List<Report>> e : groups.entrySet()) {
            List<Report> rs = e.getValue();
            b.append("| ").append(e.getKey()).append(" | ").append(rs.size())
                    .append(" | ").append(percent(rs, r -> r.cleanAccuracy().average()))
                    .append(" | ").append(percent(rs, r -> r.cleanAccuracy().worst()));
            for (String a : attacks) {
                b.append(" | ").append(percent(rs, r -> r.robust(a).average()))
                        .append(" | ").append(percent(rs, r -> r.robust(a).worst()));
            }
            if (strong != null) {
                List<Report> ss = rs.stream().map(strongOf::get).filter(java.util.Objects::nonNull).toList();
                if (ss.size() < rs.size()) {
                    b.append(" | (").append(ss.size()).append(" of ").append(rs.size()).append(" seeds)")
                            .append(" | | | | |");
                } else {
                    b.append(" | ").append(percent(ss, r -> r.robust(strongName).average()))
                            .append(" | ").append(percent(ss, r -> r.robust(strongName).worst()))
                            .append(" | ").append(percent(ss, r -> r.robustAccuracy().average()))
                            .append(" | ").append(percent(ss, r -> r.robustAccuracy().worst()))
                            .append(" | ").append(plain(ss, r -> r.robustAccuracy().nstd(), "%.2f"))
                            .append(" | ").append(worstClasses(ss, Report::robustAccuracy));
                }
            }
            b.append(" | ").append(attacks.isEmpty() ? worstClasses(rs, Report::cleanAccuracy)
                    : worstClasses(rs, r -> r.robust(attacks.get(0))));
            b.append(" | ").append(plain(rs, r -> r.trainingCost() == null ? Double.NaN : r.trainingCost().seconds(), "%.0f"));
            b.append(" | ").append(cpuSeconds(rs));
            b.append(" | ").append(plain(rs, ResultsTable::attackRows, "%,.0f")).append(" |\n");
        }
        return b.toString();
    }

    /** pgd-20 → PGD-20, cw-20 → CW∞-20. */
    static String name(String attack) {
        String a = attack.toLowerCase(Locale.ROOT);
        if (a.startsWith("cw-")) {
            return "CW∞-" + a.substring(3);
        }
        return a.toUpperCase(Locale.ROOT);
    }
}
