package org.hamkafka.trainer.job;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.hamkafka.testsupport.GrafanaQueries;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer's per-job meters, read as Prometheus scrapes them. */
class TrainerMetricsTest {

    @Test
    void perJobMetersAreTaggedHamJobAndGoWhenTheJobEnds() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TrainerMetrics metrics = new TrainerMetrics();
        metrics.registry = registry;

        metrics.jobStarted();
        metrics.jobStarted();
        metrics.step("job-a", 128, 0.25, 900, 1, 0.7);
        metrics.step("job-b", 128, 0.5, 800, 0, 0.9);
        String both = registry.scrape();
        assertEquals(0.25, value(both, "ham_trainer_drop_rate", "job-a"), both);
        assertEquals(1.0, value(both, "ham_trainer_steps_total", "job-b"), both);
        // Prometheus adds its own label "job" (the scrape job); ours must not take that name
        assertFalse(both.contains("{job="), both);

        metrics.jobEnded("job-a");
        String after = registry.scrape();
        assertFalse(after.contains("job-a"), "an ended job's series are gone:\n" + after);
        assertEquals(0.5, value(after, "ham_trainer_drop_rate", "job-b"), after);
        assertTrue(after.contains("ham_trainer_running_jobs 1.0"), after);

        // a job that runs again here (resumed after a halt) gets fresh gauges
        metrics.jobStarted();
        metrics.step("job-a", 64, 0.125, 700, 2, 0.6);
        assertEquals(0.125, value(registry.scrape(), "ham_trainer_drop_rate", "job-a"));
    }

    /**
     * deploy/grafana/ham-kafka.json queries only trainer metrics that TrainerMetrics exports (eval-service's
     * GrafanaDashboardTest checks the others against its own /q/metrics).
     */
    @Test
    void everyTrainerMetricTheGrafanaDashboardQueriesIsExported() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TrainerMetrics metrics = new TrainerMetrics();
        metrics.registry = registry;
        metrics.jobStarted();
        metrics.step("job-a", 128, 0.25, 900, 1, 0.7);
        metrics.attackWait(Duration.ofMillis(40));
        metrics.resend("timeout");
        metrics.checkpoint();
        Set<String> exported = GrafanaQueries.sampleNames(registry.scrape());
        Set<String> queried = GrafanaQueries.metrics(GrafanaQueries.DASHBOARD, "ham_trainer_");
        assertTrue(queried.size() >= 5, "the dashboard's trainer queries were read: " + queried);
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "the dashboard queries " + missing + ", which the trainer does not export; it "
                + "exports " + exported);
    }

    /** The sample of one job's series (the text format may or may not end a label set with a comma). */
    static double value(String scrape, String metric, String job) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{ham_job=\"" + Pattern.quote(job) + "\",?} (\\S+)$")
                .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
