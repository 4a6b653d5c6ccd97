package org.hamkafka.trainer.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics of the trainer (exposed at /q/metrics): steps, examples/s, HAM's drop rate,
 * staleness, attack waits and resends. Per-job meters carry the tag {@value #JOB_TAG} (not {@code job}, which is
 * Prometheus' own target label: a scrape would rename ours to {@code exported_job}) and are removed when the job
 * ends, so a long-lived trainer does not export one series per job it ever ran.
 */
@ApplicationScoped
public class TrainerMetrics {
    /** The tag naming the job on per-job meters. */
    public static final String JOB_TAG = "ham_job";

    @Inject
    MeterRegistry registry;

    private final AtomicInteger running = new AtomicInteger();
    private final Map<String, JobGauges> gauges = new ConcurrentHashMap<>();
    private volatile boolean registered;

    /** Latest values of one job, read by the gauges. */
    static final class JobGauges {
        volatile double dropRate;
        volatile double examplesPerSecond;
        volatile double staleness;
        volatile double loss;
    }

    private void ensureRegistered() {
        if (!registered) {
            synchronized (this) {
                if (!registered) {
                    registry.gauge("ham_trainer_running_jobs", running);
                    registered = true;
                }
            }
        }
    }

    public void jobStarted() {
        ensureRegistered();
        running.incrementAndGet();
    }

    /** The job no longer runs here (finished, failed, cancelled or halted): its meters go. */
    public void jobEnded(String jobId) {
        running.decrementAndGet();
        gauges.remove(jobId);
        for (Meter m : registry.getMeters()) {
            if (jobId.equals(m.getId().getTag(JOB_TAG))) {
                registry.remove(m);
            }
        }
    }

    public void step(String jobId, int examples, double dropRate, double examplesPerSecond, long staleness,
                     double loss) {
        ensureRegistered();
        registry.counter("ham_trainer_steps_total", JOB_TAG, jobId).increment();
        registry.counter("ham_trainer_examples_total", JOB_TAG, jobId).increment(examples);
        JobGauges g = gauges.computeIfAbsent(jobId, id -> {
            JobGauges n = new JobGauges();
            Tags t = Tags.of(JOB_TAG, id);
            registry.gauge("ham_trainer_drop_rate", t, n, x -> x.dropRate);
            registry.gauge("ham_trainer_examples_per_second", t, n, x -> x.examplesPerSecond);
            registry.gauge("ham_trainer_staleness", t, n, x -> x.staleness);
            registry.gauge("ham_trainer_loss", t, n, x -> x.loss);
            return n;
        });
        g.dropRate = dropRate;
        g.examplesPerSecond = examplesPerSecond;
        g.staleness = staleness;
        g.loss = loss;
    }

    public void attackWait(Duration d) {
        Timer.builder("ham_trainer_attack_wait_seconds").register(registry).record(d);
    }

    public void resend(String reason) {
        Counter.builder("ham_trainer_attack_resends_total").tag("reason", reason).register(registry).increment();
    }

    public void checkpoint() {
        registry.counter("ham_trainer_checkpoints_total").increment();
    }
}
