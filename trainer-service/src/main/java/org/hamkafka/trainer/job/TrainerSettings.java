package org.hamkafka.trainer.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/** The trainer's own settings ({@code ham.trainer.*}); the data folder is {@code ham.data.dir}. */
@ConfigMapping(prefix = "ham.trainer")
public interface TrainerSettings {
    /** Where the training half runs: cpu, gpu or auto. */
    @WithDefault("auto")
    String device();

    /** Jobs trained at the same time (one worker thread each); more wait QUEUED. */
    @WithName("max-concurrent-jobs")
    @WithDefault("2")
    int maxConcurrentJobs();

    /** How long to wait for one shard's attack result before sending the request again. */
    @WithName("attack-timeout")
    @WithDefault("PT2M")
    Duration attackTimeout();

    /** Requests sent per shard (first + resends) before the job fails. */
    @WithName("attack-attempts")
    @WithDefault("3")
    int attackAttempts();

    /** A resume state is written every this many steps (and at every epoch end). */
    @WithName("state-every-steps")
    @WithDefault("20")
    int stateEverySteps();

    /**
     * Snapshots of at most this many bytes travel inside their {@code ham.models} announcement (their S3
     * copy is written behind the step); larger ones are uploaded first and fetched by the workers. 0: never
     * inline. Base64 makes the message 4/3 of this, so keep it under the topic's max.message.bytes.
     */
    @WithName("inline-snapshot-bytes")
    @WithDefault("524288")
    int inlineSnapshotBytes();

    /** On start-up, continue jobs left RUNNING or QUEUED by an earlier process. */
    @WithName("resume-on-start")
    @WithDefault("true")
    boolean resumeOnStart();

    /**
     * The most forward + backward example-rows one checkpoint's evaluation may cost ({@code EvaluationAttacks.maxRows}
     * of the job's eval_attacks on its test examples); POST /jobs refuses a job over it, naming this setting, rather
     * than leave each of its checkpoints to be rejected by eval-service. Keep it equal to eval-service's
     * {@code ham.eval.max-rows}.
     */
    @WithName("max-eval-rows")
    @WithDefault("50000000")
    long maxEvalRows();
}
