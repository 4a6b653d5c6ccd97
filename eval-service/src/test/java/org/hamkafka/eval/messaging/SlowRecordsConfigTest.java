package org.hamkafka.eval.messaging;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SmallRye's default commit strategy ("throttled") fails a channel, and stops consuming, when one record waits over
 * 60 s for its ack. An attack of a large model on a CPU (and eval-service's evaluations under load: seen in
 * scripts/compose-check.sh, the stack stopped evaluating after the first checkpoint) takes longer, so the limit is off.
 * And Vert.x logs a stack trace every 2 s for a worker thread busy past its execute time (60 s by default): every
 * evaluation over a minute flooded the log (docs/benchmarks.md, "The services' memory in one job").
 */
class SlowRecordsConfigTest {
    @Test
    void aSlowEvaluationDoesNotStopTheCheckpointsChannel() throws Exception {
        assertEquals("0", properties().getProperty(
                "mp.messaging.incoming.checkpoints.throttled.unprocessed-record-max-age.ms"));
    }

    @Test
    void aLongEvaluationIsNotReportedAsABlockedThread() throws Exception {
        String v = properties().getProperty("quarkus.vertx.max-worker-execute-time");
        assertTrue(v != null, "quarkus.vertx.max-worker-execute-time is not set: Vert.x's 60 s applies");
        // an AutoAttack of 1000 examples took 639-702 s on 2 cores; a slower machine or a larger model takes more
        assertTrue(Duration.parse(v).compareTo(Duration.ofHours(1)) >= 0, "an evaluation may take hours, got " + v);
    }

    private Properties properties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        return p;
    }
}
