package org.hamkafka.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchIoTest {
    @Test
    void skipFlagsLeaveTheQuotedCommandOtherOptionsStay() {
        assertEquals("bash scripts/experiment.sh", BenchIo.reproducing("bash scripts/experiment.sh --resume"));
        assertEquals("bash scripts/sweep.sh --seeds 3",
                BenchIo.reproducing("bash scripts/sweep.sh --resume --seeds 3 --aggregate-only"));
        // a partial table's command is the experiment's, which would train the missing runs
        assertEquals("bash scripts/experiment.sh --seeds 3",
                BenchIo.reproducing("bash scripts/experiment.sh --aggregate-only --partial --seeds 3"));
        assertEquals("bash scripts/sweep.sh --seeds 3",
                BenchIo.reproducing("bash scripts/sweep.sh --resume=true --seeds 3 --run-per-process=false"));
        assertEquals("bash scripts/experiment.sh --resumed-from x",
                BenchIo.reproducing("bash scripts/experiment.sh --resumed-from x"), "only whole flags go");
    }
}
