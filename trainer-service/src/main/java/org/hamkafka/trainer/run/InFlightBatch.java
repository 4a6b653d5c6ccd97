package org.hamkafka.trainer.run;

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

    InFlightBatch(int epoch, int batch, long step, long attackVersion, int[] rows, int[] offsets) {
        this.epoch = epoch;
        this.batch = batch;
        this.step = step;
        this.attackVersion = attackVersion;
        this.rows = rows;
        this.offsets = offsets;
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
