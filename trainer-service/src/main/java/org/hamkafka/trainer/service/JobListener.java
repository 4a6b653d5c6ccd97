package org.hamkafka.trainer.service;

import org.hamkafka.core.train.StepResult;

/**
 * What hangs on a job's loop rather than living in it: progress, checkpoints, resume states. Called on the
 * job's thread in the order they were listed, after the step's model version is counted and the next
 * batch's requests are out.
 */
interface JobListener {
    /** After every step. */
    default void stepDone(StepDone s) {
    }

    /** After the last step of an epoch (once its {@link #stepDone} calls are made). */
    default void epochDone(StepDone last) {
    }

    /**
     * One finished step.
     *
     * @param step           the global step index (epoch * batches per epoch + batch)
     * @param stepsDone      steps done so far in the job, this one included
     * @param version        the model version after this step
     * @param staleness      versions between the weights the batch was attacked with and those it trained
     * @param epochMeanLoss  mean loss of the epoch's steps so far that stepped; null when none did
     */
    record StepDone(int epoch, int batch, long step, long stepsDone, long version, long staleness, StepResult result,
                    Double epochMeanLoss, boolean lastOfEpoch, Times times) {
    }

    /** {@link System#nanoTime()} when the wait for the attack results began, they were in, trained, next sent. */
    record Times(long attackStart, long attackEnd, long trained, long end) {
    }
}
