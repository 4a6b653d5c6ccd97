package org.hamkafka.cli;

import me.tongfei.progressbar.ProgressBar;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.ModelCard;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.eval.ReportTable;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.Position;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.train.TrainingCost;
import org.hamkafka.core.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ham train}: trains in this process with {@link TrainingRun}'s loop (a checkpoint and a resume state after
 * every epoch: {@link RunFiles}), evaluates class-wise, writes model.npz, model.json, report.json and the card.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model, evaluate it class-wise, write report.json and model.npz")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--out", description = "output folder (default runs/<timestamp>); after every epoch it holds "
            + "checkpoints/epoch-N.npz and " + RunFiles.STATE)
    Path out;
    @Option(names = "--resume", paramLabel = "STATE", description = "go on from a " + RunFiles.STATE
            + " of an earlier run with the same settings (--epochs may be larger)")
    Path resume;

    @Override
    public Integer call() throws IOException {
        TrainConfig cfg = HamCli.validated(spec, SettingOptions.read(spec));
        Path dir = out != null ? out
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Dataset[] data = HamCli.load(spec, cfg, true);
        TrainingRun run = new TrainingRun(cfg);
        try (Classifier f = run.newModel(data[0])) {
            SgdMomentum optimizer = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
            Position start = Position.START;
            TrainingCost earlier = null;
            if (resume != null) {
                try {
                    start = RunFiles.resume(resume, cfg, f, optimizer);
                    earlier = RunFiles.earlierCost(resume);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            TrainingRun.Result result;
            int batch = cfg.optimisation().batchSize();
            long batches = (long) cfg.optimisation().epochs() * ((data[0].size() + batch - 1) / batch);
            try (ProgressBar pb = HamCli.bar("train " + cfg.method(), batches - start.stepsDone());
                 TrainingRun.Steps steps = run.steps(f, data[0], optimizer, run.localAttack(f), start, List.of(
                         TrainingListener.onStep(p -> {
                             pb.step();
                             pb.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d loss %.3f drop %.2f %.0f ex/s",
                                     p.epoch() + 1, p.epochs(), p.loss(), p.dropRate(), p.examplesPerSecond()));
                         }),
                         new RunFiles(dir, cfg, f, optimizer, earlier)))) {
                result = steps.run();
            }
            Files.createDirectories(dir);
            try (OutputStream os = Files.newOutputStream(dir.resolve("model.npz"))) {
                ModelWeights.exportNpz(f, os);
            }
            CheckpointInfo.of(cfg.model(), data[0].info(), cfg.method()).write(dir.resolve(CheckpointInfo.FILE));
            ClassWiseReport eval = HamCli.evaluate(cfg, f, data[1]);
            // a resumed run reports the whole training's cost: the parts before its state, and its own
            Report report = Report.of(cfg, eval, earlier == null ? result.cost() : result.cost().after(earlier));
            report.write(dir.resolve("report.json"));
            ModelCard card = ModelCard.of(ModelCard.Subject.of(dir.getFileName().toString(), cfg), eval);
            card.write(dir.resolve(HamCli.CARD));
            Files.writeString(dir.resolve(HamCli.MODEL_INFO), card.robustBenchJson());
            System.out.println(ReportTable.format(report));
            System.out.println("wrote " + dir.resolve("report.json") + ", " + dir.resolve(HamCli.CARD) + ", "
                    + dir.resolve(HamCli.MODEL_INFO) + " and "
                    + dir.resolve("model.npz") + (resume == null || earlier != null ? ""
                    : " (training cost: the resumed epochs only; the state has no " + RunFiles.COST + " beside it)"));
        }
        return 0;
    }
}
