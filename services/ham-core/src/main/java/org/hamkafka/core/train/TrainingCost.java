package org.hamkafka.core.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a training run cost, measured: passes in batch-rows (a forward pass over 128 examples counts
 * 128), examples trained on and dropped (HAM's easy examples), optimizer steps, wall time, and the process's
 * CPU time over the same span ({@code cpuSeconds}: all threads, JIT and GC included; null where not measured,
 * as in reports written before it existed) — wall time grows with whatever else the machine runs, CPU time
 * less (not nothing: shared cores and caches slow a CPU second too); the pass counts not at all.
 */
public record TrainingCost(int epochs, double seconds,
                           @JsonProperty("attack_forward_rows") long attackForwardRows,
                           @JsonProperty("attack_backward_rows") long attackBackwardRows,
                           @JsonProperty("train_forward_rows") long trainForwardRows,
                           @JsonProperty("train_backward_rows") long trainBackwardRows,
                           @JsonProperty("examples_seen") long examplesSeen,
                           @JsonProperty("examples_trained") long examplesTrained,
                           @JsonProperty("examples_dropped") long examplesDropped,
                           @JsonProperty("optimizer_steps") long optimizerSteps,
                           @JsonProperty("cpu_seconds") Double cpuSeconds) {

    public TrainingCost(int epochs, double seconds, long attackForwardRows, long attackBackwardRows,
                        long trainForwardRows, long trainBackwardRows, long examplesSeen, long examplesTrained,
                        long examplesDropped, long optimizerSteps) {
        this(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows, trainBackwardRows,
                examplesSeen, examplesTrained, examplesDropped, optimizerSteps, null);
    }

    public static TrainingCost zero() {
        return new TrainingCost(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Adds one step's counts. */
    public TrainingCost plus(StepResult r) {
        return new TrainingCost(epochs, seconds,
                attackForwardRows + r.attackStats().forwardRows(), attackBackwardRows + r.attackStats().backwardRows(),
                trainForwardRows + r.trainForwardRows(), trainBackwardRows + r.trainBackwardRows(),
                examplesSeen + r.examplesIn(), examplesTrained + r.examplesTrained(),
                examplesDropped + (r.examplesIn() - r.examplesTrained()), optimizerSteps + (r.stepped() ? 1 : 0),
                cpuSeconds);
    }

    public TrainingCost withTime(int epochs, double seconds, Double cpuSeconds) {
        return new TrainingCost(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows,
                trainBackwardRows, examplesSeen, examplesTrained, examplesDropped, optimizerSteps, cpuSeconds);
    }

    /** This process's CPU time so far in seconds (all threads), or null where the JVM cannot tell. */
    public static Double processCpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            return ns < 0 ? null : ns / 1e9;
        }
        return null;
    }
}
