package org.hamkafka.trainer.run;

import org.hamkafka.trainer.job.JobFailure;

import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.ShardStats;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a batch is cut into shards, and the checks an attack result must pass before the training half uses it. */
class RemoteAttackTest {

    @Test
    void shardOffsetsSplitTheBatchEvenly() {
        assertArrayEquals(new int[]{0, 32}, RemoteAttack.shardOffsets(64, 2));
        assertArrayEquals(new int[]{0, 3, 6}, RemoteAttack.shardOffsets(10, 3));
        assertArrayEquals(new int[]{0}, RemoteAttack.shardOffsets(7, 1));
        // never more shards than rows: a shard of no rows would be a request for nothing
        assertArrayEquals(new int[]{0, 1, 2}, RemoteAttack.shardOffsets(3, 5));
    }

    @Test
    void shardsCoverEveryRowOnce() {
        InFlightBatch fl = batch(10, 3); // offsets 0, 3, 6
        assertEquals(3, fl.shards());
        assertEquals(3, fl.rowsOf(0));
        assertEquals(3, fl.rowsOf(1));
        assertEquals(4, fl.rowsOf(2), "the last shard takes the rest");
        assertEquals(10, IntStream.range(0, fl.shards()).map(fl::rowsOf).sum());
    }

    @Test
    void aResultOfTheRightShardWithAscendingKeptRowsPasses() {
        InFlightBatch fl = batch(10, 3);
        assertDoesNotThrow(() -> RemoteAttack.check(fl, 2, result(2, 3, 6, 0, 1, 3)));
        assertDoesNotThrow(() -> RemoteAttack.check(fl, 1, result(1, 3, 3)), "nothing kept is fine");
    }

    @Test
    void keptRowsOutOfOrderOrOutsideTheShardFailTheJob() {
        InFlightBatch fl = batch(10, 3);
        JobFailure unordered = assertThrows(JobFailure.class, () -> RemoteAttack.check(fl, 0, result(0, 3, 0, 2, 1)));
        assertTrue(unordered.getMessage().contains("kept index 1 (must be ascending and < 3)"), unordered.getMessage());
        assertThrows(JobFailure.class, () -> RemoteAttack.check(fl, 0, result(0, 3, 0, 1, 1)), "duplicate row");
        // shard 0 holds 3 rows: index 3 is the next shard's
        JobFailure outside = assertThrows(JobFailure.class, () -> RemoteAttack.check(fl, 0, result(0, 3, 0, 3)));
        assertTrue(outside.getMessage().contains("kept index 3"), outside.getMessage());
    }

    @Test
    void aResultForAnotherCutOfTheBatchFailsTheJob() {
        InFlightBatch fl = batch(10, 3);
        JobFailure offset = assertThrows(JobFailure.class, () -> RemoteAttack.check(fl, 1, result(1, 3, 5)));
        assertTrue(offset.getMessage().contains("shard_count 3 offset 5, expected 3 / 3"), offset.getMessage());
        assertThrows(JobFailure.class, () -> RemoteAttack.check(fl, 1, result(1, 2, 3)), "shard count");
    }

    private static InFlightBatch batch(int rows, int shards) {
        int[] r = IntStream.range(100, 100 + rows).toArray();
        return new InFlightBatch(0, 2, 2, 7, r, RemoteAttack.shardOffsets(rows, shards));
    }

    private static AttackResult result(int shard, int shardCount, int offset, int... kept) {
        return new AttackResult(SchemaVersion.BINARY, "job", 2, 0, shard, shardCount, offset, 7, kept, null, null,
                new ShardStats(3, kept.length, 0, 0, 0), "worker-1", null);
    }
}
