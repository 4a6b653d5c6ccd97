package org.hamkafka.core.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.hamkafka.core.model.CpuModel;

import java.util.List;
import java.util.stream.Stream;

/**
 * What a training run cost, measured: passes in batch-rows (a forward pass over 128 examples counts
 * 128), examples trained on and dropped (HAM's easy examples), optimizer steps, wall time, and the process's
 * CPU time over the same span ({@code cpuSeconds}: all threads, JIT and GC included; null where not measured,
 * as in reports written before it existed) — wall time grows with whatever else the machine runs, CPU time
 * less (not nothing: shared cores and caches slow a CPU second too); the pass counts not at all.
 *
 * <p>{@code attackSeconds} and {@code trainSeconds} split the wall time into the methods' two halves summed over
 * the batches (a random start is part of the attack half); what {@code seconds} holds beyond them is the loop's own
 * (gathering the batch, progress callbacks). Null in reports written before they existed.
 *
 * <p>{@code cpus}: the model names of the CPUs the times were measured on, in order ({@link CpuModel}); a training
 * resumed on another machine lists both, a part that did not record it as {@code unknown}. Times from different
 * CPUs are not comparable. Null where none was recorded.
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
                           @JsonProperty("cpu_seconds") Double cpuSeconds,
                           @JsonProperty("attack_seconds") Double attackSeconds,
                           @JsonProperty("train_seconds") Double trainSeconds,
                           List<String> cpus) {

    public TrainingCost(int epochs, double seconds, long attackForwardRows, long attackBackwardRows,
                        long trainForwardRows, long trainBackwardRows, long examplesSeen, long examplesTrained,
                        long examplesDropped, long optimizerSteps) {
        this(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows, trainBackwardRows,
                examplesSeen, examplesTrained, examplesDropped, optimizerSteps, null, null, null, null);
    }

    public TrainingCost(int epochs, double seconds, long attackForwardRows, long attackBackwardRows,
                        long trainForwardRows, long trainBackwardRows, long examplesSeen, long examplesTrained,
                        long examplesDropped, long optimizerSteps, Double cpuSeconds) {
        this(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows, trainBackwardRows,
                examplesSeen, examplesTrained, examplesDropped, optimizerSteps, cpuSeconds, null, null, null);
    }

    public static TrainingCost zero() {
        return new TrainingCost(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0.0, 0.0, null);
    }

    /** Adds one step's counts and the wall time of its two halves (the attack's from its stats). */
    public TrainingCost plus(StepResult r, double trainHalfSeconds) {
        return new TrainingCost(epochs, seconds,
                attackForwardRows + r.attackStats().forwardRows(), attackBackwardRows + r.attackStats().backwardRows(),
                trainForwardRows + r.trainForwardRows(), trainBackwardRows + r.trainBackwardRows(),
                examplesSeen + r.examplesIn(), examplesTrained + r.examplesTrained(),
                examplesDropped + (r.examplesIn() - r.examplesTrained()), optimizerSteps + (r.stepped() ? 1 : 0),
                cpuSeconds, sum(attackSeconds, r.attackStats().millis() / 1e3), sum(trainSeconds, trainHalfSeconds),
                cpus);
    }

    /**
     * Adds a fairness rule's validation passes ({@link FairnessRule#passes}) to the attack's: they are attack passes
     * too, on the validation split; their time is in the wall time, outside both halves.
     */
    public TrainingCost plusValidation(long forwardRows, long backwardRows) {
        return new TrainingCost(epochs, seconds, attackForwardRows + forwardRows, attackBackwardRows + backwardRows,
                trainForwardRows, trainBackwardRows, examplesSeen, examplesTrained, examplesDropped, optimizerSteps,
                cpuSeconds, attackSeconds, trainSeconds, cpus);
    }

    private static Double sum(Double total, double add) {
        return total == null ? null : total + add;
    }

    /**
     * This run's cost after {@code earlier}'s, the part of the same training before a resume: counts and times
     * added ({@code null} where either lacks a time), {@code epochs} this run's (the epochs it ends at).
     */
    public TrainingCost after(TrainingCost earlier) {
        return new TrainingCost(epochs, earlier.seconds + seconds,
                earlier.attackForwardRows + attackForwardRows, earlier.attackBackwardRows + attackBackwardRows,
                earlier.trainForwardRows + trainForwardRows, earlier.trainBackwardRows + trainBackwardRows,
                earlier.examplesSeen + examplesSeen, earlier.examplesTrained + examplesTrained,
                earlier.examplesDropped + examplesDropped, earlier.optimizerSteps + optimizerSteps,
                earlier.cpuSeconds == null ? null : sum(cpuSeconds, earlier.cpuSeconds),
                earlier.attackSeconds == null ? null : sum(attackSeconds, earlier.attackSeconds),
                earlier.trainSeconds == null ? null : sum(trainSeconds, earlier.trainSeconds),
                earlier.cpus == null && cpus == null ? null : Stream.concat(known(earlier.cpus), known(cpus))
                        .distinct().toList());
    }

    private static Stream<String> known(List<String> cpus) {
        return cpus == null ? Stream.of(CpuModel.UNKNOWN) : cpus.stream();
    }

    public TrainingCost withTime(int epochs, double seconds, Double cpuSeconds) {
        return new TrainingCost(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows,
                trainBackwardRows, examplesSeen, examplesTrained, examplesDropped, optimizerSteps, cpuSeconds,
                attackSeconds, trainSeconds, cpus);
    }

    /** This cost with its times measured on {@code cpu} alone. */
    public TrainingCost on(String cpu) {
        return new TrainingCost(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows,
                trainBackwardRows, examplesSeen, examplesTrained, examplesDropped, optimizerSteps, cpuSeconds,
                attackSeconds, trainSeconds, List.of(cpu));
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
