package org.hamkafka.core.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a training run cost, measured: passes in batch-rows (a forward pass over 128 examples counts
 * 128), examples trained on and dropped (HAM's easy examples), optimizer steps, wall time.
 */
public record TrainingCost(int epochs, double seconds,
                           @JsonProperty("attack_forward_rows") long attackForwardRows,
                           @JsonProperty("attack_backward_rows") long attackBackwardRows,
                           @JsonProperty("train_forward_rows") long trainForwardRows,
                           @JsonProperty("train_backward_rows") long trainBackwardRows,
                           @JsonProperty("examples_seen") long examplesSeen,
                           @JsonProperty("examples_trained") long examplesTrained,
                           @JsonProperty("examples_dropped") long examplesDropped,
                           @JsonProperty("optimizer_steps") long optimizerSteps) {

    public static TrainingCost zero() {
        return new TrainingCost(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Adds one step's counts. */
    public TrainingCost plus(StepResult r) {
        return new TrainingCost(epochs, seconds,
                attackForwardRows + r.attackStats().forwardRows(), attackBackwardRows + r.attackStats().backwardRows(),
                trainForwardRows + r.trainForwardRows(), trainBackwardRows + r.trainBackwardRows(),
                examplesSeen + r.examplesIn(), examplesTrained + r.examplesTrained(),
                examplesDropped + (r.examplesIn() - r.examplesTrained()), optimizerSteps + (r.stepped() ? 1 : 0));
    }

    public TrainingCost withTime(int epochs, double seconds) {
        return new TrainingCost(epochs, seconds, attackForwardRows, attackBackwardRows, trainForwardRows,
                trainBackwardRows, examplesSeen, examplesTrained, examplesDropped, optimizerSteps);
    }
}
