package org.hamkafka.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A job's run on the console: what was submitted, then a progress bar of its steps until it completed. */
final class JobProgressBar implements JobRun.Listener, AutoCloseable {
    private final PrintStream stdout;
    private final Stack stack;
    private final String what;
    private final int epochs;
    private ProgressBar bar;

    /** {@code what} describes the job in the "submitted" line; {@code epochs} until the trainer says. */
    JobProgressBar(PrintStream stdout, Stack stack, String what, int epochs) {
        this.stdout = stdout;
        this.stack = stack;
        this.what = what;
        this.epochs = epochs;
    }

    @Override
    public void submitted(JsonNode job) {
        stdout.println("submitted job " + job.path("id").asText() + " (" + what + "): "
                + stack.trainerClient().jobUrl(job.path("id").asText()));
        bar = new ProgressBarBuilder().setTaskName("training").setInitialMax(-1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setUnit(" steps", 1)
                .setMaxRenderedLength(120)
                .showSpeed().build();
    }

    @Override
    public void progress(JsonNode job) {
        JsonNode p = job.path("progress");
        int perEpoch = p.path("batches_per_epoch").asInt(0);
        int total = p.path("epochs").asInt(epochs);
        if (perEpoch > 0) {
            bar.maxHint((long) perEpoch * total);
        }
        bar.stepTo(p.path("step").asLong(0));
        StringBuilder msg = new StringBuilder(TrainerClient.state(job).toLowerCase(Locale.ROOT));
        if (p.has("epoch")) {
            msg.append(" epoch ").append(p.path("epoch").asInt() + 1).append('/').append(total);
        }
        if (p.hasNonNull("loss")) {
            msg.append(String.format(Locale.ROOT, " loss %.3f", p.path("loss").asDouble()));
        }
        if (p.hasNonNull("drop_rate")) {
            msg.append(String.format(Locale.ROOT, " dropped %.0f%%", 100 * p.path("drop_rate").asDouble()));
        }
        bar.setExtraMessage(msg.toString());
    }

    @Override
    public void waitingForEvaluation(JsonNode job) {
        close();
        stdout.println("job " + job.path("id").asText() + " COMPLETED; waiting for eval-service's "
                + "evaluation of the last checkpoint on ham.eval.results ...");
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
