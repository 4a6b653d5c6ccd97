package org.hamkafka.attack.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;

/**
 * What the workers do, for Prometheus: examples attacked (rate() gives examples per second), the
 * drop rate of each shard, passes by batch-rows and those saved against plain K-step PGD.
 */
@ApplicationScoped
public class AttackMetrics {
    private final Counter examples;
    private final Counter kept;
    private final DistributionSummary dropRate;
    private final Counter forwardRows;
    private final Counter backwardRows;
    private final Counter forwardSaved;
    private final Counter backwardSaved;
    private final Timer attackTime;
    private final MeterRegistry registry;

    public AttackMetrics(MeterRegistry registry, SnapshotDigests digests) {
        this.registry = registry;
        io.micrometer.core.instrument.Gauge.builder("ham.attack.requests.waiting", digests, SnapshotDigests::parked)
                .description("requests parked now until their model snapshot is announced").register(registry);
        examples = Counter.builder("ham.attack.examples").description("examples attacked").register(registry);
        kept = Counter.builder("ham.attack.examples.kept").description("examples kept (hard) after the attack")
                .register(registry);
        dropRate = DistributionSummary.builder("ham.attack.drop.rate")
                .description("fraction of a shard dropped as easy at K'").publishPercentiles(0.5, 0.9)
                .register(registry);
        forwardRows = Counter.builder("ham.attack.forward.rows").description("forward passes, in batch-rows")
                .register(registry);
        backwardRows = Counter.builder("ham.attack.backward.rows").description("backward passes, in batch-rows")
                .register(registry);
        forwardSaved = Counter.builder("ham.attack.forward.rows.saved")
                .description("forward batch-rows saved against plain K-step PGD on the same shards").register(registry);
        backwardSaved = Counter.builder("ham.attack.backward.rows.saved")
                .description("backward batch-rows saved against plain K-step PGD on the same shards").register(registry);
        attackTime = Timer.builder("ham.attack.time").description("attack half of one shard").register(registry);
    }

    public void record(AttackedShard shard) {
        var s = shard.stats();
        examples.increment(s.examplesIn());
        kept.increment(s.examplesKept());
        dropRate.record(shard.dropRate());
        forwardRows.increment(s.forwardRows());
        backwardRows.increment(s.backwardRows());
        forwardSaved.increment(Math.max(0, shard.pgdForwardRows() - s.forwardRows()));
        backwardSaved.increment(Math.max(0, shard.pgdBackwardRows() - s.backwardRows()));
        attackTime.record((long) (s.millis() * 1e6), TimeUnit.NANOSECONDS);
    }

    /** A request parked to wait for its snapshot's announcement (its outcome is counted when it is served). */
    public void parked() {
        registry.counter("ham.attack.requests.parked").increment();
    }

    /** Requests by outcome: ok, or dead-letter with the kind of failure. */
    public void outcome(String outcome) {
        registry.counter("ham.attack.requests", "outcome", outcome).increment();
    }
}
