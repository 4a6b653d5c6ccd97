package org.hamkafka.trainer.persistence;

/** Life cycle of a training job. COMPLETED, FAILED and CANCELLED are final. */
public enum JobState {
    QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
