package org.hamkafka.trainer.run;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The attack requests of one batch, out at the same time: one per shard, shard s holding rows offsets[s]..to(s). */
public final class InFlightBatch {
    final int epoch;
    final int batch;
    final long step;
    final long attackVersion;
    final int[] rows;
    final int[] offsets;
    final List<AttackRequest> requests = new ArrayList<>();
    final List<CompletableFuture<AttackResult>> futures = new ArrayList<>();
    final long sentNanos = System.nanoTime();
    /** The step's trace: from its requests going out to its training half done (a no-op span until one is set). */
    Span span = Span.getInvalid();

    InFlightBatch(int epoch, int batch, long step, long attackVersion, int[] rows, int[] offsets) {
        this.epoch = epoch;
        this.batch = batch;
        this.step = step;
        this.attackVersion = attackVersion;
        this.rows = rows;
        this.offsets = offsets;
    }

    /** What the step's messages are sent under. */
    Context trace() {
        return Context.root().with(span);
    }

    int shards() {
        return offsets.length;
    }

    /** One past the last row (of the batch) that shard {@code s} holds. */
    int to(int s) {
        return s + 1 < offsets.length ? offsets[s + 1] : rows.length;
    }

    /** How many rows shard {@code s} holds. */
    int rowsOf(int s) {
        return to(s) - offsets[s];
    }
}
