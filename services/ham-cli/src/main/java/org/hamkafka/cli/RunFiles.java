package org.hamkafka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.Position;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.StateArchive;
import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.hamkafka.core.train.TrainingListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;

/**
 * What a command-line run leaves after every epoch, as the trainer-service does in S3: the weights as
 * {@code checkpoints/epoch-N.npz} (N one-based) and the resume state ({@link StateArchive}, the trainer's form) as
 * {@code resume-state.npz}, with the settings it was trained with beside it ({@code resume-state.json}), so that
 * {@code --resume} goes on only under the same settings (more epochs allowed), and what the training cost up to
 * it ({@code resume-cost.json}, every earlier part of a resumed run included), so that a resumed run reports the
 * cost of the whole training.
 */
final class RunFiles implements TrainingListener {
    static final String STATE = "resume-state.npz";
    static final String COST = "resume-cost.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Classifier f;
    private final SgdMomentum optimizer;
    private final byte[] settings;
    /** The cost before the state this run resumed from; null for a run from the start. */
    private final TrainingCost earlier;

    RunFiles(Path dir, TrainConfig cfg, Classifier f, SgdMomentum optimizer, TrainingCost earlier) {
        this.dir = dir;
        this.f = f;
        this.optimizer = optimizer;
        this.earlier = earlier;
        try {
            this.settings = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings(cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void epochDone(StepDone last) {
        write(dir.resolve("checkpoints").resolve("epoch-" + (last.epoch() + 1) + ".npz"), ModelWeights.exportNpz(f));
        write(dir.resolve("resume-state.json"), settings);
        try {
            write(dir.resolve(COST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                    earlier == null ? last.cost() : last.cost().after(earlier)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(dir.resolve(STATE), StateArchive.write(f, optimizer, last.next()));
    }

    /**
     * What the training cost up to {@code state} (the {@code resume-cost.json} beside it), or null when the run
     * that wrote it predates that file.
     */
    static TrainingCost earlierCost(Path state) {
        Path file = state.resolveSibling(COST);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), TrainingCost.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("--resume " + state + ": cannot read " + file + " (" + e.getMessage()
                    + ")", e);
        }
    }

    /**
     * Loads {@code state} into f and optimizer after checking that the settings beside it are this run's.
     *
     * @throws IllegalArgumentException naming the setting that differs, or what is wrong with the files
     */
    static Position resume(Path state, TrainConfig cfg, Classifier f, SgdMomentum optimizer) {
        Path beside = state.resolveSibling("resume-state.json");
        try {
            JsonNode was = JSON.readTree(beside.toFile());
            JsonNode is = JSON.readTree(JSON.writeValueAsBytes(settings(cfg))); // numbers read as the file's are
            for (Iterator<Map.Entry<String, JsonNode>> it = is.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().equals(was.get(e.getKey()))) {
                    throw new IllegalArgumentException("--resume " + state + ": it was trained with "
                            + "--" + e.getKey().replace('_', '-') + " " + was.get(e.getKey()) + ", this run has " + e.getValue()
                            + " (" + beside + ")");
                }
            }
            Position p = StateArchive.read(Files.readAllBytes(state), f, optimizer);
            if (p.epoch() >= cfg.optimisation().epochs()) {
                throw new IllegalArgumentException("--resume " + state + ": its " + p.epoch()
                        + " epochs are done; give --epochs above " + p.epoch() + " to train on");
            }
            return p;
        } catch (IOException e) {
            throw new IllegalArgumentException("--resume " + state + ": cannot read it or " + beside + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The settings a resume must share: all but the number of epochs, the machine's and evaluation's. */
    private static ObjectNode settings(TrainConfig cfg) {
        ObjectNode n = JSON.valueToTree(PartialConfig.of(cfg).withoutRuntime());
        n.remove("epochs");
        n.remove("eval_attacks");
        n.remove("test_subset");
        return n;
    }

    /** Written whole or not at all, so a run cut short leaves the last complete file. */
    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
