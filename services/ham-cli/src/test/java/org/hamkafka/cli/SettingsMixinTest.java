package org.hamkafka.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class SettingsMixinTest {
    @Command(name = "demo")
    static final class Demo {
        @Mixin
        SettingsMixin settings = SettingsMixin.of("model", "trainSubset", "lr", "weighting", "evalAttacks", "shardsPerBatch",
                        "variationOnLogits")
                .defaults(p -> {
                    p.model = "smallcnn";
                    p.trainSubset = 2048;
                    p.evalAttacks = List.of("pgd-20", "cw-20");
                }).note("trainSubset", "a note of the command's own");
        @Option(names = "--rounds", defaultValue = "3")
        int rounds;
    }

    @Test
    void commandDefaultsApplyAndGivenValuesWin() {
        Demo d = new Demo();
        new CommandLine(d).parseArgs("--lr", "0.5", "--train-subset", "100", "--no-weighting", "--shards-per-batch", "4");
        assertEquals("smallcnn", d.settings.values().model);
        assertEquals(100, d.settings.values().trainSubset);
        assertEquals(0.5f, d.settings.values().lr);
        assertEquals(false, d.settings.values().weighting);
        assertEquals(4, d.settings.values().shardsPerBatch);
        assertEquals(List.of("pgd-20", "cw-20"), d.settings.values().evalAttacks);
        assertEquals(3, d.rounds);
    }

    @Test
    void aBooleanSettingDefaultingToTrueMeansWhatItsTwoFormsSay() {
        for (String[] args : new String[][]{{}, {"--variation-on-logits"}, {"--no-variation-on-logits"}}) {
            Demo d = new Demo();
            d.settings.defaults(p -> p.variationOnLogits = true);
            new CommandLine(d).parseArgs(args);
            assertEquals(args.length == 0 || args[0].equals("--variation-on-logits"), d.settings.values().variationOnLogits,
                    String.join(" ", args));
        }
    }

    @Test
    void unsetSettingsStayNullAndTheHelpShowsEachDefault() {
        Demo d = new Demo();
        CommandLine cl = new CommandLine(d).setUsageHelpWidth(400);
        cl.parseArgs();
        assertNull(d.settings.values().lr);
        assertEquals(2048, d.settings.values().trainSubset);
        String help = cl.getUsageMessage();
        assertTrue(help.contains("--train-subset") && help.contains("(default: 2048); a note of the command's own"), help);
        assertTrue(help.contains("--model") && help.contains("(default: smallcnn)"), help);
        assertTrue(help.contains("--eval-attacks") && help.contains("(default: pgd-20,cw-20)"), help);
        assertTrue(help.contains("--lr") && help.contains("fashion-mnist"), help);
    }
}
