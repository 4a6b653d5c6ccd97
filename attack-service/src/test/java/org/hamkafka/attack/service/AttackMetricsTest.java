package org.hamkafka.attack.service;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.testsupport.GrafanaQueries;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttackMetricsTest {
    /** One shard of 100 examples, 40 kept after the drop; plain 10-step PGD would have spent 1,000 rows each way. */
    static AttackedShard shard() {
        return new AttackedShard(new int[40], new float[0], new float[0], new long[0],
                new AttackStats(100, 40, 520, 420, 250.0), 1100, 1000, "w1", "cpu()");
    }

    @Test
    void aShardIsCountedAsItsStatisticsSay() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AttackMetrics metrics = new AttackMetrics(registry, new SnapshotDigests(10, 4));
        metrics.record(shard());
        metrics.record(shard());
        String scrape = registry.scrape();
        assertEquals(200, sample(scrape, "ham_attack_examples_total"), scrape);
        assertEquals(80, sample(scrape, "ham_attack_examples_kept_total"), scrape);
        assertEquals(2 * (1000 - 420), sample(scrape, "ham_attack_backward_rows_saved_total"), scrape);
        assertEquals(2, sample(scrape, "ham_attack_time_seconds_count"), scrape);
        assertEquals(0.5, sample(scrape, "ham_attack_time_seconds_sum"), 1e-9, scrape);
    }

    /**
     * deploy/grafana/ham-kafka.json queries only attack-worker metrics that AttackMetrics exports (the other
     * services' are checked by TrainerMetricsTest and eval-service's GrafanaDashboardTest).
     */
    @Test
    void everyAttackMetricTheGrafanaDashboardQueriesIsExported() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AttackMetrics metrics = new AttackMetrics(registry, new SnapshotDigests(10, 4));
        metrics.record(shard());
        metrics.parked();
        metrics.outcome("ok");
        Set<String> exported = GrafanaQueries.sampleNames(registry.scrape());
        Set<String> queried = GrafanaQueries.metrics(GrafanaQueries.DASHBOARD, "ham_attack_");
        assertTrue(queried.size() >= 5, "the dashboard's attack-worker queries were read: " + queried);
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "the dashboard queries " + missing + ", which the workers do not export; they "
                + "export " + exported);
    }

    static double sample(String scrape, String metric) {
        Matcher m = Pattern.compile("(?m)^" + metric + "(?:\\{[^}]*})? (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
