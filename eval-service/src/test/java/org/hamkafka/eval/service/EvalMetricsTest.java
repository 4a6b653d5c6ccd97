package org.hamkafka.eval.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EvalMetricsTest {

    @Test
    void theGaugesOfTheJobsEvaluatedLeastRecentlyGoBeyondTheLimit() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EvalMetrics metrics = new EvalMetrics(registry, 2);
        metrics.published("a", 0.1);
        metrics.published("b", 0.2);
        metrics.published("a", 0.15); // a evaluated again: now b is the least recent
        metrics.published("c", 0.3);

        assertNull(gauge(registry, "b"), "b's gauge is removed");
        assertEquals(0.15, gauge(registry, "a").value());
        assertEquals(0.3, gauge(registry, "c").value());
        assertEquals(2, registry.find(EvalMetrics.ROBUST_WORST).gauges().size());

        metrics.published("b", 0.25); // back, with a fresh gauge; a is the least recent now
        assertEquals(0.25, gauge(registry, "b").value());
        assertNull(gauge(registry, "a"));
    }

    static Gauge gauge(SimpleMeterRegistry registry, String job) {
        return registry.find(EvalMetrics.ROBUST_WORST).tag(EvalMetrics.JOB_TAG, job).gauge();
    }
}
