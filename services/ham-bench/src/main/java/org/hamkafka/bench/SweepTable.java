package org.hamkafka.bench;

import org.hamkafka.core.eval.Report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The sweep's table: one row per HAM setting, paired with PGD-AT of the same seed. Δ is HAM minus PGD-AT in
 * percentage points, per seed, then mean ± sample sd; "better" counts the seeds where HAM's worst class beat
 * PGD-AT's. Rows are ranked by mean Δ worst, best first.
 */
final class SweepTable {
    private SweepTable() {
    }

    /** A row's numbers, kept for ranking and for tests. */
    record Row(Sweep.Setting setting, List<Report> runs, double[] deltaWorst, double[] deltaAvg, int better,
               double rowsRatio) {
        double meanDeltaWorst() {
            return ResultsTable.mean(deltaWorst);
        }
    }

    /**
     * @param runs      per setting, the reports in seed order
     * @param baselines PGD-AT's reports in the same seed order
     */
    static List<Row> rows(List<Sweep.Setting> grid, List<List<Report>> runs, List<Report> baselines, String attack) {
        List<Row> rows = new ArrayList<>();
        double baseRows = baselines.stream().mapToDouble(ResultsTable::attackRows).average().orElse(Double.NaN);
        for (int i = 0; i < grid.size(); i++) {
            List<Report> rs = runs.get(i);
            if (rs.size() != baselines.size()) {
                throw new IllegalArgumentException(grid.get(i).label() + " has " + rs.size() + " runs for "
                        + baselines.size() + " PGD-AT baselines; they must pair up by seed");
            }
            double[] dw = new double[rs.size()];
            double[] da = new double[rs.size()];
            int better = 0;
            for (int s = 0; s < rs.size(); s++) {
                if (!java.util.Objects.equals(rs.get(s).settings().seed, baselines.get(s).settings().seed)) {
                    throw new IllegalArgumentException(grid.get(i).label() + ": seed " + rs.get(s).settings().seed
                            + " paired with PGD-AT seed " + baselines.get(s).settings().seed);
                }
                dw[s] = 100 * (rs.get(s).robust(attack).worst() - baselines.get(s).robust(attack).worst());
                da[s] = 100 * (rs.get(s).robust(attack).average() - baselines.get(s).robust(attack).average());
                if (dw[s] > 0) {
                    better++;
                }
            }
            double hamRows = rs.stream().mapToDouble(ResultsTable::attackRows).average().orElse(Double.NaN);
            rows.add(new Row(grid.get(i), rs, dw, da, better, hamRows / baseRows));
        }
        rows.sort(Comparator.comparingDouble(Row::meanDeltaWorst).reversed());
        return rows;
    }

    static String markdown(List<Sweep.Setting> grid, List<List<Report>> runs, List<Report> baselines, String attack,
                           String machine, String command, String setup) {
        List<Row> rows = rows(grid, runs, baselines, attack);
        String a = ResultsTable.name(attack);
        StringBuilder b = new StringBuilder("# HAM's (K', warm-up, λ) sweep against PGD-AT\n\n");
        b.append("Machine: ").append(machine).append("  \nCommand: `").append(command).append("`  \n")
                .append(setup).append("\n\n");
        b.append("Accuracies in %, mean ± sample sd over seeds. Δ = HAM − PGD-AT of the same seed, in percentage "
                + "points; better = seeds where HAM's worst class beat PGD-AT's; attack rows = the training attacks' "
                + "forward + backward batch-rows as a fraction of PGD-AT's. Ranked by Δ worst.\n\n");
        b.append("| K' | warm-up | weights | ").append(a).append(" avg | ").append(a).append(" worst | Δ avg | Δ worst "
                + "| better | clean worst | worst class | attack rows |\n");
        b.append("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n");
        b.append("| – | – | PGD-AT | ").append(ResultsTable.percent(baselines, r -> r.robust(attack).average()))
                .append(" | ").append(ResultsTable.percent(baselines, r -> r.robust(attack).worst()))
                .append(" | 0 | 0 | – | ").append(ResultsTable.percent(baselines, r -> r.cleanAccuracy().worst()))
                .append(" | ").append(ResultsTable.worstClasses(baselines, r -> r.robust(attack)))
                .append(" | 1.00 |\n");
        for (Row r : rows) {
            Sweep.Setting s = r.setting();
            b.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s | %d/%d | %s | %s | %.2f |%n",
                    s.dropStep(), s.warmup(), s.uniform() ? "uniform" : "tanh λ=" + fmt(s.lambda()),
                    ResultsTable.percent(r.runs(), x -> x.robust(attack).average()),
                    ResultsTable.percent(r.runs(), x -> x.robust(attack).worst()),
                    delta(r.deltaAvg()), delta(r.deltaWorst()), r.better(), r.runs().size(),
                    ResultsTable.percent(r.runs(), x -> x.cleanAccuracy().worst()),
                    ResultsTable.worstClasses(r.runs(), x -> x.robust(attack)), r.rowsRatio()));
        }
        return b.toString();
    }

    private static String fmt(float lambda) {
        return lambda == Math.rint(lambda) ? String.valueOf((int) lambda) : String.valueOf(lambda);
    }

    private static String delta(double[] d) {
        return d.length == 1 ? String.format(Locale.ROOT, "%+.1f", d[0])
                : String.format(Locale.ROOT, "%+.1f ± %.1f", ResultsTable.mean(d), ResultsTable.sd(d));
    }
}
