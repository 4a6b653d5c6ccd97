package org.hamkafka.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * picocli turns a negatable option whose default is true around unless it has a fallback value: `--no-weighting`
 * left HAM weighted (and `--weighting` made it uniform), so a "uniform" bench measured the weighted method.
 */
class NegatableOptionsTest {
    @Test
    void bothFormsOfTheBenchesBooleanOptionsMeanWhatTheySay() {
        for (String[] args : new String[][]{{}, {"--weighting"}, {"--no-weighting"}}) {
            HamVsPgdMain m = new HamVsPgdMain();
            new CommandLine(m).parseArgs(args);
            assertEquals(args.length == 0 || args[0].equals("--weighting"), m.settings.values().weighting, String.join(" ", args));
        }
        for (String[] args : new String[][]{{}, {"--interleave"}, {"--no-interleave"}}) {
            HamVsPgdMain m = new HamVsPgdMain();
            new CommandLine(m).parseArgs(args);
            assertEquals(args.length == 0 || args[0].equals("--interleave"), m.interleave, String.join(" ", args));
        }
        for (String[] args : new String[][]{{}, {"--time-pgd"}, {"--no-time-pgd"}}) {
            PassAccountingMain m = new PassAccountingMain();
            new CommandLine(m).parseArgs(args);
            assertEquals(args.length == 0 || args[0].equals("--time-pgd"), m.timePgd, String.join(" ", args));
        }
    }
}
