package org.hamkafka.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeoutException;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.Topics;

/**
 * One training job through the running system: submitted on trainer-service's REST API, followed until it
 * ends, then its final checkpoint's evaluation read from {@code ham.eval.results} with a real consumer.
 */
public final class JobRun {
    /** Called while the job runs (on the calling thread). */
    public interface Listener {
        default void submitted(JsonNode job) {
        }

        /** The job as {@code GET /jobs/{id}} shows it, about once a second. */
        default void progress(JsonNode job) {
        }

        default void waitingForEvaluation(JsonNode finishedJob) {
        }
    }

    /**
     * What a finished job produced.
     *
     * @param job           the job as the trainer shows it at the end (state COMPLETED)
     * @param eval          the evaluation of its last checkpoint, as read from ham.eval.results
     * @param cost          the attack workers' cost, summed from ham.attack.results
     * @param trainSeconds  trainer's started_at to finished_at, or NaN if it did not say
     */
    public record Outcome(JsonNode job, EvalResult eval, SystemTopics.AttackCost cost, double trainSeconds) {
        public String jobId() {
            return job.path("id").asText();
        }
    }

    /** A job that ended FAILED or CANCELLED, or a service that died while it ran. */
    public static final class JobFailedException extends RuntimeException {
        public JobFailedException(String message) {
            super(message);
        }
    }

    private JobRun() {
    }

    /**
     * A job request on Fashion-MNIST; null values are left out (the trainer's defaults apply). Its checkpoints
     * are evaluated with PGD-20 (the stack's default {@code --eval-attacks}) on {@code testSubset} examples.
     */
    public static ObjectNode fashionMnistRequest(String method, String model, int epochs, int trainSubset,
                                                 int testSubset, int shards, Integer warmupEpochs, Long seed) {
        ObjectNode r = TrainerClient.newRequest();
        r.put("dataset", "fashion-mnist");
        r.put("method", method);
        r.put("model", model);
        r.put("epochs", epochs);
        r.put("train_subset", trainSubset);
        r.put("test_subset", testSubset);
        r.putArray("eval_attacks").add("pgd-20");
        r.put("shards_per_batch", shards);
        if (warmupEpochs != null) {
            r.put("warmup_epochs", warmupEpochs);
        }
        if (seed != null) {
            r.put("seed", seed);
        }
        return r;
    }

    public static Outcome run(Stack stack, ObjectNode request, Duration jobTimeout, Duration evalTimeout,
                              Listener listener) throws IOException, InterruptedException, TimeoutException {
        TrainerClient trainer = stack.trainerClient();
        try (SystemTopics topics = new SystemTopics(stack.bootstrapServers())) {
            JsonNode job = trainer.submit(request);
            String id = job.path("id").asText();
            listener.submitted(job);
            long deadline = System.nanoTime() + jobTimeout.toNanos();
            while (!TrainerClient.FINAL_STATES.contains(TrainerClient.state(job))) {
                checkChildren(stack);
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("job " + id + " is still " + TrainerClient.state(job) + " after "
                            + jobTimeout.toSeconds() + " s; see " + trainer.jobUrl(id) + " and the trainer's log "
                            + stack.trainer().logFile());
                }
                Thread.sleep(1000);
                try {
                    job = trainer.job(id);
                } catch (IOException e) {
                    // a trainer being restarted by the supervisor does not answer for a while: ask again
                    // (one that stays down is reported by checkChildren; the deadline bounds the rest)
                    continue;
                }
                listener.progress(job);
            }
            if (!"COMPLETED".equals(TrainerClient.state(job))) {
                throw new JobFailedException("job " + id + " ended " + TrainerClient.state(job)
                        + (job.hasNonNull("error") ? ": " + job.get("error").asText() : "")
                        + "; see " + trainer.jobUrl(id) + "/events and the logs in "
                        + stack.settings().outDir().resolve("logs"));
            }
            listener.waitingForEvaluation(job);
            String lastCheckpoint = job.path("progress").path("last_checkpoint_key").asText(null);
            int lastEpoch = job.path("settings").path("epochs").asInt(1) - 1;
            EvalResult eval = awaitEval(stack, topics, id, lastCheckpoint, lastEpoch, evalTimeout);
            return new Outcome(job, eval, topics.attackCost(id), seconds(job));
        }
    }

    /**
     * The evaluation of the job's last checkpoint: the one with the checkpoint key the trainer reports, or,
     * if it reports none, the first one of the last epoch (0-based) or later.
     */
    private static EvalResult awaitEval(Stack stack, SystemTopics topics, String id, String checkpointKey,
                                        int lastEpoch, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            checkChildren(stack);
            try {
                return topics.awaitEval(id, e -> checkpointKey != null ? checkpointKey.equals(e.checkpointKey())
                        : e.epoch() >= lastEpoch, Duration.ofSeconds(2));
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no evaluation of job " + id + (checkpointKey == null ? ""
                            : " checkpoint " + checkpointKey) + " on " + Topics.EVAL_RESULTS + " after "
                            + timeout.toSeconds() + " s (seen: " + topics.evalResults(id).size()
                            + "); see eval-service's log " + stack.eval().logFile() + " and "
                            + stack.eval().url() + "/results?job=" + id);
                }
            }
        }
    }

    private static void checkChildren(Stack stack) throws InterruptedException {
        if (stack.isClosing()) {
            throw new Stack.StackClosedException("the local stack is shutting down");
        }
        var dead = stack.deadChild();
        if (dead.isPresent()) {
            // Ctrl-C in a terminal reaches the children too: give the shutdown hook a moment to say so
            Thread.sleep(1000);
            if (stack.isClosing()) {
                throw new Stack.StackClosedException("the local stack is shutting down");
            }
            ServiceProcess p = dead.get();
            throw new JobFailedException(p.name() + " died (pid " + p.pid() + "); see its log " + p.logFile());
        }
    }

    static double seconds(JsonNode job) {
        try {
            OffsetDateTime start = OffsetDateTime.parse(job.path("started_at").asText());
            OffsetDateTime end = OffsetDateTime.parse(job.path("finished_at").asText());
            return Duration.between(start, end).toMillis() / 1000.0;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
