package org.hamkafka.trainer.service;

import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.trainer.rest.JobRequest;
import org.hamkafka.trainer.rest.JobValidationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Defaults, derived settings and the field a ham-core message is about. */
class JobSettingsTest {
    @Test
    void missingFieldsTakeTheDataSetsDefaults() {
        JobRequest r = JobSettings.resolve(new JobRequest());
        TrainConfig d = TrainConfig.defaults("fashion-mnist");
        assertEquals("fashion-mnist", r.dataset);
        assertEquals(d.method(), r.method);
        assertEquals(d.eps(), r.eps);
        assertEquals(d.alpha(), r.alpha);
        assertEquals(d.steps(), r.steps);
        assertEquals(d.dropStep(), r.dropStep);
        assertEquals(d.warmupEpochs(), r.warmupEpochs);
        assertEquals(1, r.shardsPerBatch);
        assertEquals(1, r.batchesInFlight);
        TrainConfig cfg = JobSettings.validate(r, "/data/fashion-mnist", "cpu");
        assertEquals("/data/fashion-mnist", cfg.dataDir());
        assertEquals("cpu", cfg.device());
    }

    @Test
    void alphaAndFastAlphaFollowAGivenEpsUnlessGiven() {
        JobRequest q = new JobRequest();
        q.eps = 0.2f;
        JobRequest r = JobSettings.resolve(q);
        assertEquals(0.05f, r.alpha, 1e-7);
        assertEquals(0.25f, r.fastAlpha, 1e-7);
        q.alpha = 0.01f;
        assertEquals(0.01f, JobSettings.resolve(q).alpha);
    }

    @Test
    void fieldOfHamCoreMessages() {
        assertEquals("drop_step", JobSettings.fieldOf("K' (dropStep, --drop-step) must satisfy 1 <= K' < K = 10"));
        assertEquals("steps", JobSettings.fieldOf("K (steps, --steps) must be >= 1; got 0"));
        assertEquals("batch_size", JobSettings.fieldOf("batchSize (--batch-size) must be >= 1; got 0"));
        assertEquals("warmup_epochs", JobSettings.fieldOf("warmupEpochs (--warmup-epochs) must be >= 0; got -1"));
        assertEquals("eps", JobSettings.fieldOf("eps (--eps) must be > 0 (pixels are in [0,1]); got -1.0"));
    }

    @Test
    void serviceSettingsAreChecked() {
        JobRequest q = new JobRequest();
        q.batchSize = 8;
        q.shardsPerBatch = 9;
        JobValidationException e = assertThrows(JobValidationException.class,
                () -> JobSettings.validate(JobSettings.resolve(q), null, "cpu"));
        assertEquals("shards_per_batch", e.field());
        assertTrue(e.getMessage().contains("[1, batch_size = 8]"), e.getMessage());
        q.shardsPerBatch = 2;
        q.batchesInFlight = JobSettings.MAX_BATCHES_IN_FLIGHT + 1;
        assertEquals("batches_in_flight", assertThrows(JobValidationException.class,
                () -> JobSettings.validate(JobSettings.resolve(q), null, "cpu")).field());
    }
}
