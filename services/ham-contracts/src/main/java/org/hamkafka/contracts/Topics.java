package org.hamkafka.contracts;

import java.util.List;

/**
 * Kafka topic names and record keys of the HAM system. See {@code docs/contracts.md}.
 *
 * <p>Every record is keyed by its job id (UTF-8), so the events of one job stay in order on one
 * partition — except {@link #ATTACK_REQUESTS}, keyed by {@link #attackRequestKey}, so the shards of
 * one batch spread over the partitions and thus over the attack workers of the consumer group.
 */
public final class Topics {
    /** Trainer → attack workers: one shard of one training batch, with the model version to attack. */
    public static final String ATTACK_REQUESTS = "ham.attack.requests";
    /** Attack workers → trainer: the hard adversarial examples of one shard and their variation. */
    public static final String ATTACK_RESULTS = "ham.attack.results";
    /** Trainer → attack workers: a new model snapshot was written to S3. */
    public static final String MODELS = "ham.models";
    /** Trainer → evaluators: an epoch checkpoint was written to S3. */
    public static final String CHECKPOINTS = "ham.checkpoints";
    /** Evaluator → anyone: class-wise clean and robust accuracy of a checkpoint (public contract). */
    public static final String EVAL_RESULTS = "ham.eval.results";
    /** Trainer → anyone: progress of a training job. */
    public static final String TRAINING_PROGRESS = "ham.training.progress";

    /** Suffix of the dead-letter topic of an input topic. */
    public static final String DLQ_SUFFIX = ".dlq";

    /** Topics that some service consumes; each has a dead-letter topic {@code <topic>.dlq}. */
    public static final List<String> INPUT_TOPICS =
            List.of(ATTACK_REQUESTS, ATTACK_RESULTS, MODELS, CHECKPOINTS);

    /** Every topic of the system, dead-letter topics included. */
    public static final List<String> ALL = List.of(
            ATTACK_REQUESTS, ATTACK_RESULTS, MODELS, CHECKPOINTS, EVAL_RESULTS, TRAINING_PROGRESS,
            dlq(ATTACK_REQUESTS), dlq(ATTACK_RESULTS), dlq(MODELS), dlq(CHECKPOINTS));

    private Topics() {
    }

    /** The dead-letter topic of {@code topic}: {@code <topic>.dlq}. */
    public static String dlq(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must be a non-empty topic name");
        }
        if (topic.endsWith(DLQ_SUFFIX)) {
            throw new IllegalArgumentException("topic " + topic + " is already a dead-letter topic");
        }
        return topic + DLQ_SUFFIX;
    }

    /** Key of a job's records: the job id itself. */
    public static String key(String jobId) {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("job_id must be a non-empty string");
        }
        return jobId;
    }

    /**
     * Key of an attack request: {@code <job_id>/<step>/<shard_index>}. Distinct per shard so that the
     * default partitioner spreads the shards of one batch over the partitions.
     */
    public static String attackRequestKey(String jobId, long step, int shardIndex) {
        return key(jobId) + "/" + step + "/" + shardIndex;
    }

    /**
     * Key of the {@code attempt}-th request of a shard (1 = the first: {@link #attackRequestKey(String, long, int)}),
     * {@code <job_id>/<step>/<shard_index>/<attempt>} for a resend: another key, hashed to another partition as
     * a rule, so that a resend can reach another worker than the one that did not answer.
     */
    public static String attackRequestKey(String jobId, long step, int shardIndex, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1; got " + attempt);
        }
        String first = attackRequestKey(jobId, step, shardIndex);
        return attempt == 1 ? first : first + "/" + attempt;
    }
}
