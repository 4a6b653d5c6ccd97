-- Training jobs of the trainer-service: the submitted settings, the state machine, the live
-- progress and where the run can resume from after a restart (resume_* columns).
CREATE TABLE training_job (
    id                     VARCHAR(36)  PRIMARY KEY,
    state                  VARCHAR(16)  NOT NULL,
    config_json            TEXT         NOT NULL,
    shards_per_batch       INTEGER      NOT NULL,
    batches_in_flight      INTEGER      NOT NULL,
    epochs                 INTEGER      NOT NULL,
    batches_per_epoch      INTEGER,
    created_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at             TIMESTAMP WITH TIME ZONE,
    finished_at            TIMESTAMP WITH TIME ZONE,
    epoch                  INTEGER      NOT NULL DEFAULT 0,
    batch_index            INTEGER      NOT NULL DEFAULT 0,
    step                   BIGINT       NOT NULL DEFAULT 0,
    model_version          BIGINT       NOT NULL DEFAULT 0,
    loss                   DOUBLE PRECISION,
    drop_rate              DOUBLE PRECISION,
    examples_per_second    DOUBLE PRECISION,
    staleness              INTEGER      NOT NULL DEFAULT 0,
    last_snapshot_key      VARCHAR(512),
    last_checkpoint_key    VARCHAR(512),
    last_checkpoint_sha256 VARCHAR(64),
    resume_key             VARCHAR(512),
    resume_epoch           INTEGER,
    resume_batch           INTEGER,
    resume_step            BIGINT,
    resume_version         BIGINT,
    cancel_requested       BOOLEAN      NOT NULL DEFAULT FALSE,
    error                  TEXT,
    CONSTRAINT training_job_state_check
        CHECK (state IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'))
);

CREATE INDEX training_job_state_idx ON training_job (state);
CREATE INDEX training_job_created_idx ON training_job (created_at);

-- What happened to a job, in order (state changes, checkpoints, resumes, errors).
CREATE TABLE job_event (
    id         BIGSERIAL    PRIMARY KEY,
    job_id     VARCHAR(36)  NOT NULL REFERENCES training_job (id) ON DELETE CASCADE,
    at         TIMESTAMP WITH TIME ZONE NOT NULL,
    kind       VARCHAR(32)  NOT NULL,
    message    TEXT
);

CREATE INDEX job_event_job_idx ON job_event (job_id, id);
