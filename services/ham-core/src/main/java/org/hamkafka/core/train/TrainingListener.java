package org.hamkafka.core.train;

import java.util.function.Consumer;

/**
 * What hangs on {@link TrainingRun}'s loop rather than living in it: progress bars and reports, checkpoints,
 * resume states. Called on the loop's thread, in the order given, after the step's version is counted and the
 * attack half has been told of it.
 */
public interface TrainingListener {
    /** After every step. */
    default void stepDone(StepDone s) {
    }

    /** After the last step of an epoch (once its {@link #stepDone} calls are made). */
    default void epochDone(StepDone last) {
    }

    /** A listener to every step (a progress bar, a test's record). */
    static TrainingListener onStep(Consumer<StepDone> each) {
        return new TrainingListener() {
            @Override
            public void stepDone(StepDone s) {
                each.accept(s);
            }
        };
    }
}
