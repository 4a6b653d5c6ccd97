package org.hamkafka.bench.stack;

import org.hamkafka.bench.BenchMath;
import org.hamkafka.local.TraceCollector.CollectedSpan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a distributed step's time goes, from the services' spans (the trace of each step, as
 * {@code org.hamkafka.service.Tracing} names them, received by the stack's {@code TraceCollector}). A step's
 * critical path with one shard: the trainer encodes and sends the request, it travels, the worker decodes it,
 * waits for the snapshot's announcement, attacks (snapshot load included), encodes the result, which travels
 * back and the trainer decodes; then the trainer trains. The rest of the step span (from the request's encoding
 * to the training's end) is thread hand-offs, the trainer's bookkeeping after the step before (progress, resume
 * states) and its gathering of the shards. Medians over the job's
 * steps; with more shards per step each piece is the slowest shard's (shards overlap, so they do not add up).
 */
final class StepBreakdown {
    static final String TRAINER = "trainer-service";
    static final String WORKER = "attack-service";

    /** Medians in ms; {@code steps} is how many of the job's step traces held a whole path. */
    record Medians(int steps, double requestEncode, double requestTransit, double requestDecode, double awaitSnapshot,
                   double attack, double resultEncode, double resultTransit, double resultDecode, double train,
                   double rest, double waited, double step) {
    }

    private StepBreakdown() {
    }

    /** The job's medians from {@code spans}, or null when no step of it left a whole trace. */
    static Medians of(List<CollectedSpan> spans, String jobId) {
        Map<String, List<CollectedSpan>> byTrace = spans.stream().collect(Collectors.groupingBy(CollectedSpan::traceId));
        List<double[]> rows = new ArrayList<>();
        for (List<CollectedSpan> trace : byTrace.values()) {
            CollectedSpan step = trace.stream().filter(s -> s.parentSpanId() == null && s.name().equals("step")
                    && s.service().equals(TRAINER) && jobId.equals(s.attribute("ham.job_id"))).findFirst().orElse(null);
            if (step == null) {
                continue;
            }
            // the request's encoding hangs under the step; the checkpoint's under the checkpoint span
            double[] r = {
                    longest(trace, TRAINER, "encode", step.spanId()),
                    longest(trace, WORKER, "transit", null),
                    longest(trace, WORKER, "decode", null),
                    longest(trace, WORKER, "await snapshot", null),
                    longest(trace, WORKER, "attack", null),
                    longest(trace, WORKER, "encode", null),
                    longest(trace, TRAINER, "transit", null),
                    longest(trace, TRAINER, "decode", null),
                    longest(trace, TRAINER, "train", null),
                    longest(trace, TRAINER, "await attack results", null),
                    step.millis()};
            boolean whole = true;
            for (double v : r) {
                whole &= !Double.isNaN(v);
            }
            if (whole) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return null;
        }
        double[] m = new double[rows.get(0).length];
        for (int c = 0; c < m.length; c++) {
            int col = c;
            m[c] = BenchMath.median(rows.stream().mapToDouble(r -> r[col]).toArray());
        }
        double pieces = 0;
        for (int c = 0; c <= 8; c++) {
            pieces += m[c];
        }
        return new Medians(rows.size(), m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[10] - pieces, m[9],
                m[10]);
    }

    /** The longest span named {@code name} of {@code service} in the trace (under {@code parent} if given), or NaN. */
    private static double longest(List<CollectedSpan> trace, String service, String name, String parent) {
        return trace.stream().filter(s -> s.service().equals(service) && s.name().equals(name)
                        && (parent == null || parent.equals(s.parentSpanId())))
                .mapToDouble(CollectedSpan::millis).max().orElse(Double.NaN);
    }

    /** A markdown table of the medians. */
    static String table(Medians m) {
        return String.format(Locale.ROOT, "| piece (median ms per step, %d steps; spans) | ms |%n| --- | ---: |%n"
                        + "| trainer: encode the request | %.1f |%n"
                        + "| request in transit (producer's send to the worker taking it up) | %.1f |%n"
                        + "| worker: decode the request | %.1f |%n"
                        + "| worker: await the snapshot's announcement | %.1f |%n"
                        + "| worker: attack (snapshot load included) | %.1f |%n"
                        + "| worker: encode the result | %.1f |%n"
                        + "| result in transit | %.1f |%n"
                        + "| trainer: decode the result | %.1f |%n"
                        + "| trainer: training half | %.1f |%n"
                        + "| rest: hand-offs, the trainer's bookkeeping between steps, gathering the shards (the step − the pieces above) | %.1f |%n"
                        + "| trainer: waited for the attack results, in all | %.1f |%n"
                        + "| the step, request encoded to training done | %.1f |%n",
                m.steps(), m.requestEncode(), m.requestTransit(), m.requestDecode(), m.awaitSnapshot(), m.attack(),
                m.resultEncode(), m.resultTransit(), m.resultDecode(), m.train(), m.rest(), m.waited(), m.step());
    }
}
