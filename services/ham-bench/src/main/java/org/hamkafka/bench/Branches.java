package org.hamkafka.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.Position;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.StateArchive;
import org.hamkafka.core.train.StepDone;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.train.TrainingRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The experiment's branch design: per seed, PGD-AT trains the first epochs once (the trunk; its resume state, the
 * reference HAM script's PGD-AT checkpoint) and every method trains the rest from it. The trunk is trained once per
 * seed and settings ({@code trunk.json} beside its state says which); a branch writes its own resume state after every
 * epoch, so one cut short goes on from there, and its report (written last) marks it done.
 */
final class Branches {
    static final String TRUNK_STATE = "trunk-state.npz";
    static final String TRUNK_INFO = "trunk.json";
    static final String BRANCH_STATE = "branch-state.npz";
    static final String BRANCH_INFO = "branch-state.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Branches() {
    }

    /** How the runs of a study start: from a shared PGD-AT trunk, or each from a fresh model. */
    enum Design {
        branch, scratch
    }

    /** The trunk's state after its epochs and what they cost. */
    record Trunk(byte[] state, TrainingCost cost) {
    }

    /** What is written beside a state: the settings it was trained with, its epochs done, the cost so far. */
    record Info(PartialConfig settings, int epochs, TrainingCost cost) {
    }

    /** Where a run starts: the position (with weights and momentum loaded) and the cost of what came before. */
    record Start(Position position, TrainingCost earlier) {
        static final Start FRESH = new Start(Position.START, null);
    }

    /**
     * The seed's trunk in {@code dir}: read if it was trained with {@code pgd}'s settings, else trained now for
     * {@code epochs} epochs of {@code pgd} (whose schedule spans all the experiment's epochs) and written.
     */
    static Trunk trunk(TrainConfig pgd, int epochs, Path dir) {
        Path state = dir.resolve(TRUNK_STATE);
        Path info = dir.resolve(TRUNK_INFO);
        try {
            if (Files.exists(state) && Files.exists(info)) {
                Info done = JSON.readValue(info.toFile(), Info.class);
                Experiment.checkSameSettings(done.settings(), pgd, info);
                if (done.epochs() != epochs) {
                    throw new IllegalStateException(info + " is a trunk of " + done.epochs() + " epochs; this command's "
                            + "has " + epochs + ": use another --out, or delete " + dir + " to train it again");
                }
                return new Trunk(Files.readAllBytes(state), done.cost());
            }
            System.err.printf(Locale.ROOT, "== trunk seed %d: %d epochs of PGD-AT%n", pgd.data().seed(), epochs);
            TrainingRun run = new TrainingRun(pgd);
            Dataset train = TrainingRun.loadTrain(pgd);
            try (Classifier f = run.newModel(train)) {
                SgdMomentum opt = new SgdMomentum(pgd.optimisation().momentum(), pgd.optimisation().weightDecay());
                StepDone last;
                try (TrainingRun.Steps steps = run.steps(f, train, opt, run.localAttack(f), Position.START,
                        java.util.List.of())) {
                    do {
                        last = steps.next();
                    } while (!(last.lastOfEpoch() && last.epoch() == epochs - 1));
                    byte[] bytes = StateArchive.write(f, opt, last.next());
                    TrainingCost cost = last.cost();
                    Files.createDirectories(dir);
                    writeAtomically(state, bytes);
                    writeAtomically(info, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                            new Info(PartialConfig.of(pgd).withoutRuntime(), epochs, cost)));
                    System.err.printf(Locale.ROOT, "   trunk trained in %.0f s%n", cost.seconds());
                    return new Trunk(bytes, cost);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trunk in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads where the branch of {@code cfg} in {@code dir} goes on into f and optimizer: its own state after its last
     * finished epoch if it has one (trained with these settings), else the trunk's.
     */
    static Start start(Trunk trunk, TrainConfig cfg, Path dir, Classifier f, SgdMomentum optimizer) {
        Path state = dir.resolve(BRANCH_STATE);
        Path info = dir.resolve(BRANCH_INFO);
        try {
            if (Files.exists(state) && Files.exists(info)) {
                Info done = JSON.readValue(info.toFile(), Info.class);
                Experiment.checkSameSettings(done.settings(), cfg, info);
                Position p = StateArchive.read(Files.readAllBytes(state), f, optimizer);
                System.err.printf(Locale.ROOT, "   goes on from its own state after epoch %d%n", p.epoch());
                return new Start(p, done.cost());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("branch state in " + dir + ": " + e.getMessage(), e);
        }
        return new Start(StateArchive.read(trunk.state(), f, optimizer), trunk.cost());
    }

    /**
     * After every epoch of a branch, its resume state and cost so far (the earlier part's plus its own, less the curve
     * evaluation's {@code curve} seconds and CPU seconds) in {@code dir}.
     */
    static TrainingListener saver(TrainConfig cfg, Path dir, Classifier f, SgdMomentum optimizer, TrainingCost earlier,
                                  Supplier<double[]> curve) {
        return new TrainingListener() {
            @Override
            public void epochDone(StepDone last) {
                double[] spent = curve.get();
                TrainingCost c = last.cost();
                TrainingCost own = c.withTime(c.epochs(), c.seconds() - spent[0],
                        c.cpuSeconds() == null ? null : c.cpuSeconds() - spent[1]);
                try {
                    Files.createDirectories(dir);
                    writeAtomically(dir.resolve(BRANCH_STATE), StateArchive.write(f, optimizer, last.next()));
                    writeAtomically(dir.resolve(BRANCH_INFO), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                            new Info(PartialConfig.of(cfg).withoutRuntime(), last.epoch() + 1,
                                    earlier == null ? own : own.after(earlier))));
                } catch (IOException e) {
                    throw new UncheckedIOException("writing the branch state in " + dir + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /** Written beside, then moved over: a run stopped mid-write leaves the last whole file. */
    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
