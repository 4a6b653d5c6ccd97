package org.hamkafka.trainer.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;

import java.util.function.UnaryOperator;

/**
 * A job's settings as they enter through {@code POST /jobs}: ham-core's {@link PartialConfig},
 * read strictly (an unknown field, a data folder or device, 1.5 for an integer, trailing text after
 * the object are refused with the field named), merged onto the data set's defaults and validated
 * by ham-core ({@link TrainConfig#validate()}, which names every bad field by its JSON name).
 */
public final class JobSettings {
    private static final ObjectReader STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build().readerFor(PartialConfig.class);

    private JobSettings() {
    }

    /** The request body as a partial configuration; malformed JSON and wrong types are Jackson's exceptions. */
    public static PartialConfig parse(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            throw new JobValidationException(null, "request body must be a JSON object with the job's settings");
        }
        try {
            PartialConfig settings = STRICT.readValue(body);
            if (settings == null) { // the JSON literal null: Jackson returns null rather than failing
                throw new JobValidationException(null, "request body must be a JSON object with the job's settings; got null");
            }
            return settings;
        } catch (PropertyBindingException e) {
            // unknown, or a field of PartialConfig that JSON may not set (data_dir, device)
            String name = e.getPropertyName();
            boolean machines = PartialConfig.fields().stream()
                    .anyMatch(f -> PartialConfig.publicName(f.getName()).equals(name));
            throw new JobValidationException(name, machines
                    ? name + " is not a job setting: the trainer reads its data and chooses its device from its own "
                    + "configuration (ham.data.dir, ham.trainer.device)"
                    : "unknown field '" + name + "'; see the OpenAPI document for the job fields");
        }
    }

    /**
     * The settings merged onto their data set's defaults, run where this trainer runs, validated.
     *
     * @param dataDir the trainer's data folder of a data set (null: ham-core's default)
     */
    public static TrainConfig resolve(PartialConfig settings, UnaryOperator<String> dataDir, String device) {
        TrainConfig cfg = settings.resolve();
        TrainConfig here = cfg.with(p -> {
            p.dataDir = dataDir.apply(cfg.dataset());
            p.device = device;
        });
        try {
            return here.validate();
        } catch (TrainConfig.InvalidSettingsException e) {
            throw new JobValidationException(e.field(), e.getMessage());
        }
    }

    /**
     * Refuses a job whose evaluation of one checkpoint may cost more than {@code maxRows} forward + backward
     * example-rows, naming eval_attacks, the examples and the setting.
     *
     * @param testExamples the test examples each checkpoint is evaluated on
     */
    public static void checkEvaluationCost(TrainConfig cfg, int classes, int testExamples, long maxRows) {
        long bound = EvaluationAttacks.maxRows(cfg.evalAttacks(), classes, testExamples);
        if (bound > maxRows) {
            throw new JobValidationException("eval_attacks", "eval_attacks " + cfg.evalAttacks() + " on "
                    + testExamples + " test examples may cost up to " + bound + " forward+backward example-rows per "
                    + "checkpoint, over ham.trainer.max-eval-rows = " + maxRows
                    + ": set a smaller test_subset or cheaper eval_attacks");
        }
    }

    /** The settings a job row keeps (the machine's left out: each trainer reads its own). */
    public static String stored(TrainConfig resolved, ObjectMapper mapper) throws JsonProcessingException {
        return mapper.writeValueAsString(PartialConfig.of(resolved).withoutRuntime());
    }

    /** A job row's settings, as {@link #stored} wrote them. */
    public static PartialConfig readStored(String json, ObjectMapper mapper) throws JsonProcessingException {
        return mapper.readValue(json, PartialConfig.class);
    }
}
