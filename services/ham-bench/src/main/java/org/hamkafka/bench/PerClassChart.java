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
        double[] sum = null;
        for (Report r : rs) {
            double[] pc = metric.apply(r).perClass();
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
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Report>> groups = ResultsTable.group(reports);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<String> classes = reports.get(0).classes();
        Function<Report, FairnessMetrics> metric = attack == null ? Report::cleanAccuracy : r -> r.robust(attack);
        for (Map.Entry<String, List<Report>> e : groups.entrySet()) {
            double[] pc = meanPerClass(e.getValue(), metric);
            for (int c = 0; c < pc.length; c++) {
                data.addValue(100 * pc[c], e.getKey(), classes.get(c));
            }
        }
        String what = attack == null ? "clean" : ResultsTable.name(attack);
        JFreeChart chart = ChartFactory.createBarChart(
                "Per-class " + what + " accuracy, " + reports.get(0).dataset() + " (mean over seeds)",
                "class", what + " accuracy (%)", data, PlotOrientation.VERTICAL, true, false, false);
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
