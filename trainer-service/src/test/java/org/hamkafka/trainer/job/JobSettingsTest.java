package org.hamkafka.trainer.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hamkafka.core.train.SettingPaths;
import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request body read strictly, merged onto the defaults, validated with the field named; stored and read back. */
class JobSettingsTest {
    static TrainConfig resolve(String body) throws JsonProcessingException {
        return JobSettings.resolve(JobSettings.parse(body), d -> "/data/" + d, "cpu");
    }

    static JobValidationException refused(String body) {
        return assertThrows(JobValidationException.class, () -> resolve(body));
    }

    @Test
    void missingFieldsTakeTheDataSetsDefaultsAndTheTrainersDataAndDevice() throws Exception {
        TrainConfig cfg = resolve("{}");
        TrainConfig d = TrainConfig.defaults("fashion-mnist");
        assertEquals(d.threat(), cfg.threat());
        assertEquals(d.ham(), cfg.ham());
        assertEquals(d.pipelining(), cfg.pipelining());
        assertEquals("/data/fashion-mnist", cfg.runtime().dataDir());
        assertEquals("cpu", cfg.runtime().device());
    }

    @Test
    void alphaAndFastAlphaFollowAGivenEpsUnlessGiven() throws Exception {
        TrainConfig c = resolve("{\"eps\": 0.2}");
        assertEquals(0.05f, c.threat().alpha(), 1e-7);
        assertEquals(0.25f, c.baselines().fastAlpha(), 1e-7);
        assertEquals(0.01f, resolve("{\"eps\": 0.2, \"alpha\": 0.01}").threat().alpha());
    }

    @Test
    void badSettingsAreNamedByTheirJsonField() {
        JobValidationException e = refused("{\"drop_step\": 10}");
        assertEquals("drop_step", e.field());
        assertTrue(e.getMessage().contains("1..9"), e.getMessage());
        e = refused("{\"batch_size\": 8, \"shards_per_batch\": 9}");
        assertEquals("shards_per_batch", e.field());
        assertTrue(e.getMessage().contains("[1, batch_size = 8]"), e.getMessage());
        assertEquals("batches_in_flight", refused("{\"batches_in_flight\": 17}").field());
        assertEquals("steps", refused("{\"method\": \"pgd-at\", \"steps\": 20000}").field());
        assertEquals("model", refused("{\"model\": \"wrn-0-0\"}").field());
        // a fairness method moves its class budgets itself: a job's own would be dropped at the first epoch
        e = refused("{\"method\": \"frl\", \"class_eps\": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1]}");
        assertEquals("class_eps", e.field());
        assertTrue(e.getMessage().contains("frl"), e.getMessage());
    }

    @Test
    void anEvaluationOverTheRowBoundIsRefusedNamingTheSettingAndTheCost() throws Exception {
        // square-10000 costs 1 forward of the clean input + 10,002 of the attack (its start and queries) + 1 of the
        // evaluator's look at its output = 10,003 rows per example: 100 examples are 1,000,300 rows
        TrainConfig cfg = resolve("{\"eval_attacks\": [\"square-10000\"]}");
        JobSettings.checkEvaluationCost(cfg, 10, 99, 1_000_300 - 10_003);
        JobSettings.checkEvaluationCost(cfg, 10, 100, 1_000_300);
        JobValidationException e = assertThrows(JobValidationException.class,
                () -> JobSettings.checkEvaluationCost(cfg, 10, 100, 1_000_299));
        assertEquals("eval_attacks", e.field());
        assertTrue(e.getMessage().contains("100 test examples") && e.getMessage().contains("1000300")
                && e.getMessage().contains("ham.trainer.max-eval-rows = 1000299"), e.getMessage());
        // the default evaluation (PGD-20 and CW-20, 41 rows each) on a whole 10,000-example test set is well inside
        JobSettings.checkEvaluationCost(resolve("{}"), 10, 10_000, 50_000_000);
        // AutoAttack's standard version on it is not
        assertThrows(JobValidationException.class, () -> JobSettings.checkEvaluationCost(
                resolve("{\"eval_attacks\": [\"autoattack-standard\"]}"), 10, 10_000, 50_000_000));
    }

    @Test
    void theBodyIsReadStrictly() {
        assertEquals("learning_rate", refused("{\"learning_rate\": 0.1}").field());
        JobValidationException e = refused("{\"data_dir\": \"/etc\"}");
        assertEquals("data_dir", e.field());
        assertTrue(e.getMessage().contains("not a job setting"), e.getMessage());
        assertEquals("device", refused("{\"device\": \"gpu\"}").field());
        // 1.5 epochs, text after the object, a field twice: Jackson's errors (answered 400 naming the field)
        assertThrows(JsonProcessingException.class, () -> JobSettings.parse("{\"epochs\": 1.5}"));
        assertThrows(JsonProcessingException.class, () -> JobSettings.parse("{\"epochs\": 1} trailing"));
        assertThrows(JsonProcessingException.class, () -> JobSettings.parse("{\"epochs\": 1, \"epochs\": 2}"));
        assertEquals(null, refused(" ").field());
    }

    /**
     * POST /jobs → job row → the run: a body that sets every setting away from its default comes out of the stored
     * row as it went in. Every setting but the machine's must be settable here (a setting added to TrainConfig and
     * not to the body fails the first check), and none may be lost in the row (the second).
     */
    @Test
    void everySettingCrossesFromThePostedBodyThroughTheJobRowToTheRun() throws Exception {
        TrainConfig posted = resolve("""
                {"dataset": "cifar10", "train_subset": 1000, "test_subset": 500, "seed": 99, "validation_size": 300,
                 "frl_rate": 0.1, "frl_bound": 0.2, "wat_eta": 0.5, "model": "tiny-cnn",
                 "method": "ham-trades", "norm": "l2", "eps": 0.5, "alpha": 0.1, "steps": 12, "drop_step": 4,
                 "lambda": -2, "base": 0.5, "weighting": false, "variation_on_logits": true, "warmup_epochs": 7,
                 "trades_beta": 2, "fast_alpha": 0.3, "class_weights": [1, 1, 1, 2, 1, 1, 1, 1, 1, 1],
                 "class_eps": [0.5, 0.5, 0.5, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], "epochs": 20, "batch_size": 64, "lr": 0.05, "momentum": 0.8,
                 "weight_decay": 0.0001, "eval_attacks": ["pgd-10"], "shards_per_batch": 3, "batches_in_flight": 2}""");
        java.util.Map<String, Object> defaults = SettingPaths.of(TrainConfig.defaults("fashion-mnist"));
        SettingPaths.of(posted).forEach((path, v) -> {
            if (!path.startsWith("runtime.")) { // the trainer's own: ham.data.dir, ham.trainer.device
                assertNotEquals(defaults.get(path), v, path + " is not set by the body: can POST /jobs set it?");
            }
        });
        ObjectMapper json = new ObjectMapper();
        String stored = JobSettings.stored(posted, json);
        assertTrue(!stored.contains("/data"), stored);
        TrainConfig run = JobSettings.resolve(JobSettings.readStored(stored, json), d -> "/data/" + d, "cpu");
        assertEquals(SettingPaths.of(posted), SettingPaths.of(run), "a setting lost in the job row");
    }
}
