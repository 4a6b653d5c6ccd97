package org.hamkafka.bench;

import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.eval.Report;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-class robust accuracy (mean over seeds) of every method as a grouped bar chart, rendered
 * headless to PNG with JFreeChart. The subtitle names the machine and the command.
 */
public final class PerClassChart {
    private PerClassChart() {
    }

    /** Mean per-class accuracy of a group of reports under {@code metric}. */
    static double[] meanPerClass(List<Report> rs, Function<Report, FairnessMetrics> metric) {
        return meanOf(rs, r -> metric.apply(r).perClass());
    }

    /** Mean over a group of reports of a per-class quantity. */
    static double[] meanOf(List<Report> rs, Function<Report, double[]> perClass) {
        double[] sum = null;
        for (Report r : rs) {
            double[] pc = perClass.apply(r);
            if (sum == null) {
                sum = new double[pc.length];
            } else if (pc.length != sum.length) {
                throw new IllegalArgumentException("reports disagree on the number of classes: " + pc.length
                        + " vs " + sum.length);
            }
            for (int c = 0; c < pc.length; c++) {
                sum[c] += pc[c];
            }
        }
        if (sum == null) {
            throw new IllegalArgumentException("no report to chart");
        }
        for (int c = 0; c < sum.length; c++) {
            sum[c] /= rs.size();
        }
        return sum;
    }

    public static JFreeChart chart(List<Report> reports, String attack, String machine, String command) {
        Function<Report, FairnessMetrics> metric = attack == null ? Report::cleanAccuracy : r -> r.robust(attack);
        String what = attack == null ? "clean" : ResultsTable.name(attack);
        return bars(reports, r -> metric.apply(r).perClass(), "Per-class " + what + " accuracy, "
                + reports.get(0).dataset() + " (mean over seeds)", what + " accuracy (%)", machine, command);
    }

    /**
     * Per class, the share of test examples whose adversarial example under {@code attack} is over-confident
     * (true class more probable than on the clean input; the paper's Figure 3), mean over seeds; methods
     * whose reports carry no such share are left out.
     */
    public static JFreeChart overConfidence(List<Report> reports, String attack, String machine, String command) {
        List<Report> with = reports.stream()
                .filter(r -> r.overConfident() != null && r.overConfident().containsKey(attack)).toList();
        if (with.isEmpty()) {
            throw new IllegalArgumentException("no report carries over-confidence shares under " + attack);
        }
        return bars(with, r -> r.overConfident().get(attack), "Over-confident adversarial examples per class ("
                        + ResultsTable.name(attack) + ": p_y(x_adv) > p_y(x)), " + with.get(0).dataset() + " (mean over seeds)",
                "over-confident share (%)", machine, command);
    }

    private static JFreeChart bars(List<Report> reports, Function<Report, double[]> perClass, String title,
                                   String axis, String machine, String command) {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Report>> groups = ResultsTable.group(reports);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<String> classes = reports.get(0).classes();
        for (Map.Entry<String, List<Report>> e : groups.entrySet()) {
            double[] pc = meanOf(e.getValue(), perClass);
            for (int c = 0; c < pc.length; c++) {
                data.addValue(100 * pc[c], e.getKey(), classes.get(c));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "class", axis, data, PlotOrientation.VERTICAL, true,
                false, false);
        chart.addSubtitle(new TextTitle("Machine: " + machine, new Font(Font.SANS_SERIF, Font.PLAIN, 10)));
        chart.addSubtitle(new TextTitle("Command: " + command, new Font(Font.SANS_SERIF, Font.PLAIN, 10)));
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRangeAxis().setRange(0, 100);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        return chart;
    }

    /**
     * Learning curves: per method (mean over the seeds that have a curve), robust average and worst-class
     * accuracy after each epoch, and the mean over classes of the over-confident share.
     */
    public static JFreeChart curves(Map<String, List<EpochCurve>> byMethod, String machine, String command) {
        System.setProperty("java.awt.headless", "true");
        org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection();
        String attack = null;
        for (Map.Entry<String, List<EpochCurve>> e : byMethod.entrySet()) {
            List<EpochCurve> cs = e.getValue();
            attack = cs.get(0).attack();
            org.jfree.data.xy.XYSeries avg = new org.jfree.data.xy.XYSeries(e.getKey() + " avg");
            org.jfree.data.xy.XYSeries worst = new org.jfree.data.xy.XYSeries(e.getKey() + " worst");
            org.jfree.data.xy.XYSeries over = new org.jfree.data.xy.XYSeries(e.getKey() + " over-confident");
            int epochs = cs.stream().mapToInt(c -> c.points().size()).min().orElse(0);
            for (int i = 0; i < epochs; i++) {
                final int k = i;
                avg.add(k + 1, 100 * cs.stream().mapToDouble(c -> c.points().get(k).robustAverage()).average().orElse(0));
                worst.add(k + 1, 100 * cs.stream().mapToDouble(c -> c.points().get(k).robustWorst()).average().orElse(0));
                over.add(k + 1, 100 * cs.stream().mapToDouble(c -> c.points().get(k).overConfidentAverage()).average()
                        .orElse(0));
            }
            data.addSeries(avg);
            data.addSeries(worst);
            data.addSeries(over);
        }
        String what = attack == null ? "robust" : ResultsTable.name(attack);
        JFreeChart chart = ChartFactory.createXYLineChart("Per epoch: " + what + " accuracy (average, worst class) and "
                        + "over-confident share (mean over classes), mean over seeds", "epoch", "%", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new TextTitle("Machine: " + machine, new Font(Font.SANS_SERIF, Font.PLAIN, 10)));
        chart.addSubtitle(new TextTitle("Command: " + command, new Font(Font.SANS_SERIF, Font.PLAIN, 10)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.getXYPlot().getRangeAxis().setRange(0, 100);
        return chart;
    }

    public static void write(JFreeChart chart, Path png, int width, int height) {
        try {
            if (png.toAbsolutePath().getParent() != null) {
                Files.createDirectories(png.toAbsolutePath().getParent());
            }
            ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + png + ": " + e.getMessage(), e);
        }
    }
}
