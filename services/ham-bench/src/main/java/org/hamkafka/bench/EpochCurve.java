package org.hamkafka.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.hamkafka.core.eval.ClassWiseReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's learning curve: after every epoch, clean and robust accuracy (average and worst class) on a
 * class-balanced test subset, and per class the share of over-confident adversarial examples (see
 * {@link ClassWiseReport#overConfident}). Written after each epoch ({@code curve.json} in the run's folder),
 * so a run cut short keeps what it measured.
 *
 * @param attack the robust evaluation of the curve (e.g. pgd-20)
 * @param testExamples test examples each point is measured on
 */
public record EpochCurve(String attack, @JsonProperty("test_examples") long testExamples, List<String> classes,
                         List<Point> points) {
    /** One epoch's numbers (accuracies as fractions). */
    public record Point(int epoch, @JsonProperty("clean_average") double cleanAverage,
                        @JsonProperty("clean_worst") double cleanWorst,
                        @JsonProperty("robust_average") double robustAverage,
                        @JsonProperty("robust_worst") double robustWorst,
                        @JsonProperty("over_confident") double[] overConfident) {
        /** Mean over the classes of the over-confident share. */
        public double overConfidentAverage() {
            double s = 0;
            for (double v : overConfident) {
                s += v;
            }
            return overConfident.length == 0 ? Double.NaN : s / overConfident.length;
        }
    }

    public static final String FILE = "curve.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EpochCurve {
        classes = List.copyOf(classes);
        points = List.copyOf(points);
    }

    /** This curve with the point of {@code epoch} (1-based) measured by {@code eval}. */
    public EpochCurve plus(int epoch, ClassWiseReport eval) {
        List<Point> p = new ArrayList<>(points);
        double[] over = eval.overConfidentShares().get(attack);
        if (over == null) {
            throw new IllegalArgumentException("the curve's attack " + attack + " has no over-confidence counts; "
                    + "evaluated: " + eval.overConfident().keySet());
        }
        p.add(new Point(epoch, eval.clean().average(), eval.clean().worst(), eval.robust(attack).average(),
                eval.robust(attack).worst(), over));
        return new EpochCurve(attack, eval.examples(), eval.classNames(), p);
    }

    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The curve in {@code file}, or null when there is none. */
    public static EpochCurve read(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), EpochCurve.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read curve " + file + ": " + e.getMessage(), e);
        }
    }
}
