package org.hamkafka.trainer.service;

import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.trainer.rest.JobRequest;
import org.hamkafka.trainer.rest.JobValidationException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a submitted {@link JobRequest} into ham-core's {@link TrainConfig}: missing fields take the
 * data set's defaults, then {@link TrainConfig#validate()} checks every setting and its message is
 * passed on with the JSON field it concerns.
 */
public final class JobSettings {
    /** Upper bound on batches in flight: beyond it the attacked weights would be very stale. */
    public static final int MAX_BATCHES_IN_FLIGHT = 16;
    private static final Pattern CLI_OPTION = Pattern.compile("\\(([A-Za-z']+, )?--([a-z-]+)\\)");

    private JobSettings() {
    }

    /** The request with every field filled in (what the job record stores and GET shows). */
    public static JobRequest resolve(JobRequest r) {
        if (r == null) {
            throw new JobValidationException(null, "request body must be a JSON object with the job's settings");
        }
        if (!r.unknownFields.isEmpty()) {
            String f = r.unknownFields.get(0);
            throw new JobValidationException(f, "unknown field '" + f + "'; see the OpenAPI document for the job fields");
        }
        String dataset = r.dataset == null ? "fashion-mnist" : r.dataset.toLowerCase(Locale.ROOT);
        if (!TrainConfig.DATASETS.contains(dataset)) {
            throw new JobValidationException("dataset", "dataset must be one of " + TrainConfig.DATASETS + "; got '"
                    + r.dataset + "'");
        }
        TrainConfig d = TrainConfig.defaults(dataset);
        JobRequest o = new JobRequest();
        o.dataset = dataset;
        o.model = or(r.model, d.model());
        o.method = or(r.method, d.method());
        o.norm = or(r.norm, d.norm());
        o.eps = or(r.eps, d.eps());
        // alpha and Fast-AT's step follow a changed eps unless they are given (alpha = eps/4, 1.25·eps)
        o.alpha = or(r.alpha, r.eps != null ? r.eps / 4f : d.alpha());
        o.fastAlpha = or(r.fastAlpha, r.eps != null ? 1.25f * r.eps : d.fastAlpha());
        o.steps = or(r.steps, d.steps());
        o.dropStep = or(r.dropStep, d.dropStep());
        o.lambda = or(r.lambda, d.lambda());
        o.base = or(r.base, d.base());
        o.weighting = or(r.weighting, d.weighting());
        o.variationOnLogits = or(r.variationOnLogits, d.variationOnLogits());
        o.warmupEpochs = or(r.warmupEpochs, d.warmupEpochs());
        o.tradesBeta = or(r.tradesBeta, d.tradesBeta());
        o.epochs = or(r.epochs, d.epochs());
        o.batchSize = or(r.batchSize, d.batchSize());
        o.lr = or(r.lr, d.lr());
        o.momentum = or(r.momentum, d.momentum());
        o.weightDecay = or(r.weightDecay, d.weightDecay());
        o.seed = or(r.seed, d.seed());
        o.trainSubset = or(r.trainSubset, d.trainSubset());
        o.testSubset = or(r.testSubset, d.testSubset());
        o.evalAttacks = or(r.evalAttacks, d.evalAttacks());
        o.shardsPerBatch = or(r.shardsPerBatch, 1);
        o.batchesInFlight = or(r.batchesInFlight, 1);
        return o;
    }

    /**
     * Validates a resolved request: ham-core's checks first (their message names the setting),
     * then the service's own (shards, batches in flight).
     */
    public static TrainConfig validate(JobRequest resolved, String dataDir, String device) {
        TrainConfig cfg = toTrainConfig(resolved, dataDir, device);
        try {
            cfg.validate();
        } catch (IllegalArgumentException e) {
            throw new JobValidationException(fieldOf(e.getMessage()), e.getMessage());
        }
        if (resolved.shardsPerBatch < 1 || resolved.shardsPerBatch > resolved.batchSize) {
            throw new JobValidationException("shards_per_batch", "shards_per_batch must be in [1, batch_size = "
                    + resolved.batchSize + "]; got " + resolved.shardsPerBatch);
        }
        if (resolved.batchesInFlight < 1 || resolved.batchesInFlight > MAX_BATCHES_IN_FLIGHT) {
            throw new JobValidationException("batches_in_flight", "batches_in_flight must be in [1, "
                    + MAX_BATCHES_IN_FLIGHT + "]; got " + resolved.batchesInFlight);
        }
        return cfg;
    }

    public static TrainConfig toTrainConfig(JobRequest r, String dataDir, String device) {
        return new TrainConfig(r.dataset, dataDir, r.model, r.method, r.norm, r.eps, r.alpha, r.steps, r.dropStep,
                r.lambda, r.base, r.weighting, r.variationOnLogits, r.warmupEpochs, r.tradesBeta, r.fastAlpha,
                r.batchSize, r.lr, r.momentum, r.weightDecay, r.epochs, r.seed, device, r.trainSubset, r.testSubset,
                r.evalAttacks);
    }

    /**
     * The JSON field a ham-core message is about: its CLI option ("--drop-step") in snake case
     * ("drop_step"), which is how this API names the fields.
     */
    static String fieldOf(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = CLI_OPTION.matcher(message);
        if (m.find()) {
            return m.group(2).replace('-', '_');
        }
        int space = message.indexOf(' ');
        return space > 0 ? message.substring(0, space) : null;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
