package org.hamkafka.eval.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.TrainingProgress;
import org.jboss.logging.Logger;

/**
 * What the dashboard's live page shows: every result on ham.eval.results (whichever instance evaluated it) and
 * every record on ham.training.progress, read by this instance on a consumer group of its own from the latest
 * offset (see application.properties), and handed to whoever listens now. Nothing is kept: a page that connects
 * later reads the stored results over REST.
 */
@ApplicationScoped
public class LiveFeed {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);

    /**
     * One event of the live page. {@code type} is {@code result}, {@code progress} or {@code heartbeat} (nothing
     * happened; the stream is alive); what does not apply to the type is null.
     */
    public record LiveEvent(String type, String jobId, int epoch, String method, String attack, Double cleanAverage,
                            Double robustAverage, Double robustWorst, String worstClass, String state, Long step,
                            Double loss, Double dropRate, Double examplesPerSecond, String at) {
        static LiveEvent of(EvalResult r) {
            return new LiveEvent("result", r.jobId(), r.epoch(), r.method(), r.attack(), r.cleanAccuracy().average(),
                    r.robustAccuracy().average(), r.robustAccuracy().worst(), r.robustAccuracy().worstClass(), null,
                    null, null, null, null, r.evaluatedAt().toString());
        }

        public static LiveEvent heartbeat() {
            return new LiveEvent("heartbeat", null, 0, null, null, null, null, null, null, null, null, null, null, null,
                    null);
        }

        static LiveEvent of(TrainingProgress p) {
            return new LiveEvent("progress", p.jobId(), p.epoch(), null, null, null, null, null, null, p.state(),
                    p.step(), p.loss(), p.dropRate(), p.examplesPerSecond(),
                    p.reportedAt() == null ? null : p.reportedAt().toString());
        }
    }

    private final BroadcastProcessor<LiveEvent> events = BroadcastProcessor.create();

    @Incoming("live-results")
    public void result(byte[] value) {
        try {
            events.onNext(LiveEvent.of(Codec.fromBytes(value, EvalResult.class)));
        } catch (RuntimeException e) { // a malformed record is not the dashboard's to dead-letter
            LOG.debugf("live page skips a record of ham.eval.results: %s", e.getMessage());
        }
    }

    @Incoming("live-progress")
    public void progress(byte[] value) {
        try {
            events.onNext(LiveEvent.of(Codec.fromBytes(value, TrainingProgress.class)));
        } catch (RuntimeException e) {
            LOG.debugf("live page skips a record of ham.training.progress: %s", e.getMessage());
        }
    }

    /** The events from now on; a listener too slow to keep up misses events rather than holding up the others. */
    public Multi<LiveEvent> events() {
        return events.onOverflow().drop();
    }
}
