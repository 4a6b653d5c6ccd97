package org.hamkafka.bench;

import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RunSettingTest {
    @Test
    void experimentAndSweepShareTheSettingButNotTheSeedCount() {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs();
        Sweep s = new Sweep();
        new CommandLine(s).parseArgs();
        assertEquals(3, e.setting.seeds);
        assertEquals(2, s.setting.seeds, "the sweep's own default survives the shared option's parsing");
        TrainConfig a = e.base(1);
        TrainConfig b = s.base(1);
        assertEquals(a.data().trainSubset(), b.data().trainSubset());
        assertEquals(a.optimisation().epochs(), b.optimisation().epochs());
        assertEquals(a.model(), b.model());
        assertEquals(a.threat().eps(), b.threat().eps());
        assertEquals(a.threat().steps(), b.threat().steps());
        assertEquals(20000, b.data().trainSubset());
    }

    @Test
    void optionsReachTheConfigAndBadSeedsAreNamed() {
        Sweep s = new Sweep();
        new CommandLine(s).parseArgs("--seeds", "4", "--epochs", "2", "--train-subset", "500", "--model", "linear");
        TrainConfig c = s.base(7);
        assertEquals(4, s.setting.seeds);
        assertEquals(2, c.optimisation().epochs());
        assertEquals(500, c.data().trainSubset());
        assertEquals("linear", c.model());
        assertEquals(7, c.data().seed());
        assertEquals(3, s.setting.lastSeed(), "seeds 0..3");
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs("--seeds", "0");
        CommandLine.ParameterException ex = assertThrows(CommandLine.ParameterException.class, () -> e.setting.checkSeeds(e));
        assertEquals("--seeds must be >= 1; got 0", ex.getMessage());
    }
}
