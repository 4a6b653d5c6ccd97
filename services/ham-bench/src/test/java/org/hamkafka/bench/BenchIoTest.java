package org.hamkafka.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchIoTest {
    @Test
    void skipFlagsLeaveTheQuotedCommandOtherOptionsStay() {
        assertEquals("bash scripts/experiment.sh", BenchIo.reproducing("bash scripts/experiment.sh --resume"));
        assertEquals("bash scripts/sweep.sh --seeds 3",
                BenchIo.reproducing("bash scripts/sweep.sh --resume --seeds 3 --aggregate-only"));
        assertEquals("bash scripts/experiment.sh --resumed-from x",
                BenchIo.reproducing("bash scripts/experiment.sh --resumed-from x"), "only whole flags go");
    }
}
