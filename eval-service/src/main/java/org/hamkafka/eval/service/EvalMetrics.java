package org.hamkafka.eval.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-job gauge {@code ham_eval_robust_worst_class_accuracy{ham_job=...}}: the worst class's robust accuracy
 * (headline attack) of the job's latest published evaluation. The tag is {@code ham_job}, not {@code job}
 * (Prometheus' own target label). eval-service cannot tell when a job ends (its last evaluation comes after the
 * trainer's COMPLETED), so it keeps the gauges of the {@code ham.eval.metrics.jobs} jobs evaluated most recently
 * and removes the oldest one's when another job comes: the series stay bounded on a long-lived service.
 */
@ApplicationScoped
public class EvalMetrics {
    public static final String JOB_TAG = "ham_job";
    public static final String ROBUST_WORST = "ham_eval_robust_worst_class_accuracy";

    private final MeterRegistry registry;
    private final int keep;
    /** Job → its gauge's value holder, oldest evaluated first. */
    private final LinkedHashMap<String, double[]> jobs = new LinkedHashMap<>(16, 0.75f, true);

    @jakarta.inject.Inject
    public EvalMetrics(MeterRegistry registry, EvalSettings settings) {
        this(registry, settings.metricsJobs());
    }

    EvalMetrics(MeterRegistry registry, int keep) {
        this.registry = registry;
        this.keep = keep;
    }

    public synchronized void published(String jobId, double robustWorst) {
        double[] holder = jobs.get(jobId);
        if (holder == null) {
            holder = new double[1];
            jobs.put(jobId, holder);
            Gauge.builder(ROBUST_WORST, holder, h -> h[0]).tag(JOB_TAG, jobId)
                    .description("worst class's robust accuracy of the job's latest evaluation").register(registry);
            evictBeyondLimit();
        }
        holder[0] = robustWorst;
    }

    private void evictBeyondLimit() {
        var it = jobs.entrySet().iterator();
        while (jobs.size() > keep && it.hasNext()) {
            Map.Entry<String, double[]> oldest = it.next();
            Gauge g = registry.find(ROBUST_WORST).tag(JOB_TAG, oldest.getKey()).gauge();
            if (g != null) {
                registry.remove(g);
            }
            it.remove();
        }
    }
}
