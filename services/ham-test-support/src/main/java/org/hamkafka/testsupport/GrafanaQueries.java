package org.hamkafka.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What deploy/grafana/ham-kafka.json queries and what a service exports, for the tests that check one against the
 * other (each service checks the metrics of its own prefix).
 */
public final class GrafanaQueries {
    /** The dashboard, from a service module's folder (where its tests run). */
    public static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "ham-kafka.json");
    /** PromQL's words that the dashboard uses; a new function is added here knowingly. */
    static final Set<String> PROMQL = Set.of("sum", "max", "min", "avg", "rate", "irate", "increase", "by", "without");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private GrafanaQueries() {
    }

    /** The metric names in every {@code expr} of a Grafana dashboard, PromQL's own words and label names left out. */
    public static Set<String> metrics(Path dashboard) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(dashboard.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard " + dashboard, e);
        }
        Set<String> names = new TreeSet<>();
        for (JsonNode expr : root.findValues("expr")) {
            String e = expr.asText()
                    .replaceAll("\\{[^}]*}", "") // label matchers
                    .replaceAll("\\[[^]]*]", "") // range selectors
                    .replaceAll("\\b(by|without)\\s*\\([^)]*\\)", ""); // grouping labels
            Matcher m = IDENTIFIER.matcher(e);
            while (m.find()) {
                if (!PROMQL.contains(m.group())) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    /** Those of {@link #metrics} that start with {@code prefix}. */
    public static Set<String> metrics(Path dashboard, String prefix) {
        Set<String> names = new TreeSet<>();
        for (String m : metrics(dashboard)) {
            if (m.startsWith(prefix)) {
                names.add(m);
            }
        }
        return names;
    }

    /** The names of the samples in a Prometheus text scrape (a timer's _count, _sum and _max each). */
    public static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
