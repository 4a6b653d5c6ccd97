package org.hamkafka.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.cli.SettingsMixin;
import org.hamkafka.core.attack.Attack;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.Report;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingCost;
import org.hamkafka.core.train.TrainingMethod;
import org.hamkafka.core.train.TrainingListener;
import org.hamkafka.core.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The experiment driver: trains every requested method (standard, PGD-AT, TRADES, Fast-AT, HAM weighted,
 * HAM uniform, HAM on TRADES) for every seed with ham-core's {@link TrainingRun}, evaluates class-wise with
 * {@link ClassWiseEvaluator}, writes each run's report.json, then the table ({@code docs/results.md}) and
 * the per-class chart ({@code docs/results-per-class.png}), the per-class over-confidence chart and the
 * learning curves ({@link EpochCurve}). {@code --estimate} times a few batches of
 * each method and of the evaluation instead and extrapolates the whole experiment's duration.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Train and evaluate standard, PGD-AT, TRADES, Fast-AT, HAM, HAM-uniform, HAM on TRADES over seeds; "
                + "write docs/results.md")
public final class Experiment implements Callable<Integer> {
    @CommandLine.Mixin
    RunSetting setting = new RunSetting();

    /**
     * The defaults are the experiment of docs/results.md: smallcnn-w0.125 (SmallCNN's layout at 1/8 of its conv widths),
     * 20000 class-balanced training examples, 5 epochs (2 of them HAM's warm-up), the full test set under
     * PGD-20 and CW∞-20, AutoAttack standard on 1000, 3 seeds, 7 methods. Chosen by measured seconds per
     * PGD-AT epoch of 20000 examples on 2 idle cores ({@code --estimate}): tiny-cnn 46, smallcnn-w0.125 95,
     * smallcnn-w0.25 154; with the evaluations, smallcnn-w0.125 at 5 epochs is what fits about 4 hours for the
     * 21 runs (docs/results.md has the arithmetic). smallcnn and PreAct ResNet-18 are for a GPU.
     */
    static final String DEFAULT_MODEL = "smallcnn-w0.125";

    @Option(names = "--methods", split = ",", defaultValue = "pgd-at,trades,frl,wat,ham,ham-uniform",
            description = "default ${DEFAULT-VALUE}; the committed 2-seed table of the scratch design also ran standard, "
                    + "fast-at and ham-trades")
    List<String> methods;
    /**
     * HAM's, TRADES' and the evaluation's settings (options made from PartialConfig); K' is TrainConfig's.
     * β = 6 (TRADES' CIFAR-10 value) drove tiny-cnn to a constant prediction (loss stuck at ln 10) in 2 of 2 seeds.
     */
    @CommandLine.Mixin
    SettingsMixin methodSettings = SettingsMixin.of("warmupEpochs", "dropStep", "lambda", "tradesBeta", "evalAttacks",
                    "validationSize", "frlRate", "frlBound", "watEta")
            .defaults(p -> {
                p.warmupEpochs = -1;
                p.lambda = -1f;
                p.tradesBeta = 1f;
                p.evalAttacks = List.of("pgd-20", "cw-20");
                p.validationSize = 1000;
            }).note("warmupEpochs", "-1: the reference's share, 50/120 of --epochs, rounded; with --design branch the "
                    + "trunk's epochs").note("validationSize", "held out for every method, so all train on the same "
                    + "examples");
    @Option(names = "--autoattack", defaultValue = "standard",
            description = "AutoAttack preset evaluated on --autoattack-subset test examples: standard (APGD-CE, APGD-T, "
                    + "FAB-T, Square), apgd (its APGD part, what the committed scratch-design runs used), fast or none "
                    + "(default ${DEFAULT-VALUE}); its worst case with PGD-20 is the table's headline")
    String autoAttack;
    @Option(names = "--autoattack-subset", defaultValue = "1000",
            description = "class-balanced test examples for AutoAttack, 0 = all (default ${DEFAULT-VALUE})")
    int autoAttackSubset;
    @Option(names = "--curve-subset", defaultValue = "500",
            description = "class-balanced test examples evaluated after every epoch for the learning curves and the "
                    + "per-epoch over-confidence, 0 = no curve (default ${DEFAULT-VALUE})")
    int curveSubset;
    @Option(names = "--out", defaultValue = "bench-results/branches", description = "run folders (default ${DEFAULT-VALUE}; "
            + "the scratch design's committed runs are in bench-results/experiment)")
    Path out;
    @Option(names = "--docs", defaultValue = "docs", description = "where results.md and the chart go (default ${DEFAULT-VALUE})")
    Path docs;
    @Option(names = "--estimate", description = "time a few batches per method and the evaluation; print the projected duration")
    boolean estimate;

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        System.exit(new CommandLine(e).execute(args));
    }

    TrainConfig base(long seed) {
        int warm = warmEpochs();
        return setting.config(seed).with(p -> {
            methodSettings.applyTo(p);
            p.warmupEpochs = warm;
        });
    }

    /** HAM's warm-up epochs, and the trunk's in the branch design. */
    int warmEpochs() {
        int epochs = setting.values().epochs;
        int warmup = methodSettings.values().warmupEpochs;
        return Math.min(warmup >= 0 ? warmup : (int) Math.round(epochs * 50.0 / 120.0), epochs);
    }

    /** The seed's trunk: PGD-AT on the experiment's settings (all --epochs of them set, for the schedule). */
    TrainConfig trunkConfig(long seed) {
        return base(seed).with(p -> {
            p.method = "pgd-at";
            p.weighting = true;
        }).validate();
    }

    List<Variant> variants() {
        return methods.stream().map(Variant::parse).toList();
    }

    static Path runDir(Path out, Variant v, long seed) {
        return out.resolve(v.label() + "-seed" + seed);
    }

    @Override
    public Integer call() throws Exception {
        PartialConfig shared = setting.values();
        PartialConfig hamAndEval = methodSettings.values();
        setting.checkSeeds(this);
        List<Variant> vs = variants();
        for (Variant v : vs) {
            v.apply(base(setting.firstSeed)).validate();
        }
        String command = BenchIo.reproducing(BenchIo.command(Experiment.class, args));
        MachineInfo machine = MachineInfo.current();
        if (estimate) {
            return estimate(vs, machine, command);
        }
        boolean branch = setting.design == Branches.Design.branch;
        if (branch && (warmEpochs() < 1 || warmEpochs() >= setting.values().epochs)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--design branch needs a trunk of 1 to "
                    + "--epochs - 1 epochs: --warmup-epochs gives " + warmEpochs() + " of " + setting.values().epochs);
        }
        List<String> strong = strongAttacks();
        List<Report> reports = new ArrayList<>();
        List<Report> strongReports = new ArrayList<>();
        List<String> notYet = new ArrayList<>();
        for (long s = setting.firstSeed; s <= setting.lastSeed(); s++) {
            for (Variant v : vs) {
                Path dir = runDir(out, v, s);
                Path file = dir.resolve("report.json");
                TrainConfig cfg = v.apply(base(s)).validate();
                boolean worked = false;
                if (!setting.aggregateOnly && !(setting.resume && Files.exists(file))) {
                    worked = true;
                    runOne(cfg, file, curveSubset, branch ? Branches.trunk(trunkConfig(s), warmEpochs(),
                            out.resolve("trunk-seed" + s)) : null);
                }
                if (!Files.exists(file) && setting.aggregateOnly && setting.partial) {
                    notYet.add(v.label() + " seed " + s);
                    continue;
                }
                if (!Files.exists(file)) {
                    throw new IllegalStateException("missing " + file + " (run without --aggregate-only first)");
                }
                Report done = Report.read(file);
                checkSameSettings(done, cfg, file);
                reports.add(done);
                if (!strong.isEmpty()) {
                    // its own file, so that a run cut short during AutoAttack keeps its training and goes on here
                    Path strongFile = dir.resolve(STRONG_REPORT);
                    if (!setting.aggregateOnly && !Files.exists(strongFile)) {
                        worked = true;
                        evaluateStrong(cfg.with(p -> {
                            p.evalAttacks = strong;
                            p.testSubset = autoAttackSubset;
                        }), dir, strongFile);
                    }
                    strongReports.add(Files.exists(strongFile) ? Report.read(strongFile) : null);
                }
                if (worked && setting.runPerProcess) {
                    return RunSetting.MORE_RUNS;
                }
            }
        }
        TrainConfig b = base(setting.firstSeed);
        String setup = String.format(Locale.ROOT, "Setup: %s, model %s, %s training examples, %s test examples, %d "
                        + "epochs (HAM: %d warm-up epochs of PGD-AT, HAM on TRADES: of TRADES), batch %d, eps %s, alpha %s, K %d, K' %d, "
                        + "λ %s, TRADES β %s, evaluation %s, seeds %d..%d.", shared.dataset, shared.model,
                setting.trainExamples(), setting.testExamples(), shared.epochs, b.ham().warmupEpochs(), b.optimisation().batchSize(), b.threat().eps(),
                b.threat().alpha(), shared.steps, b.ham().dropStep(), hamAndEval.lambda, hamAndEval.tradesBeta, String.join(", ", hamAndEval.evalAttacks),
                setting.firstSeed, setting.lastSeed());
        if (branch) {
            setup += String.format(Locale.ROOT, " Design: per seed, PGD-AT trains the first %d epochs once (the trunk); "
                    + "every method trains epochs %d..%d from that checkpoint (HAM's warm-up is the trunk), so the methods "
                    + "differ only there; training costs are the trunk's plus the branch's. %s examples of the training "
                    + "split are held out (class-balanced) as the validation split frl and wat measure on, for every "
                    + "method.", warmEpochs(), warmEpochs() + 1, shared.epochs,
                    hamAndEval.validationSize);
        }
        if (curveSubset > 0 && !hamAndEval.evalAttacks.isEmpty()) {
            setup += String.format(Locale.ROOT, " After every epoch, clean and %s accuracy and the over-confident share on "
                    + "a class-balanced subset of %d test examples (the curves).", hamAndEval.evalAttacks.get(0), curveSubset);
        }
        if (!strong.isEmpty()) {
            setup += String.format(Locale.ROOT, " AutoAttack (%s) with PGD-20 on a class-balanced subset of %s test "
                    + "examples; its worst case is the strong column.", strong.get(1), autoAttackSubset == 0 ? "all"
                    : String.valueOf(autoAttackSubset));
        }
        if (!notYet.isEmpty()) {
            setup += " Not trained yet, so not in the table (the experiment is under way; `--resume` goes on): "
                    + String.join(", ", notYet) + ".";
        }
        String md = ResultsTable.markdown(reports, hamAndEval.evalAttacks, strong.isEmpty() ? null : strongReports,
                machine.describe(), command, setup)
                + "\n![per-class robust accuracy](results-per-class.png)\n";
        String firstAttack = hamAndEval.evalAttacks.isEmpty() ? null : hamAndEval.evalAttacks.get(0);
        PerClassChart.write(PerClassChart.chart(reports, firstAttack, machine.describe(), command),
                docs.resolve("results-per-class.png"), 1200, 700);
        if (firstAttack != null && reports.stream().anyMatch(r -> r.overConfident() != null
                && r.overConfident().containsKey(firstAttack))) {
            PerClassChart.write(PerClassChart.overConfidence(reports, firstAttack, machine.describe(), command),
                    docs.resolve("results-over-confidence.png"), 1200, 700);
            md += "\n![per-class over-confident adversarial examples](results-over-confidence.png)\n";
        }
        Map<String, List<EpochCurve>> curves = new java.util.LinkedHashMap<>();
        for (long s = setting.firstSeed; s <= setting.lastSeed(); s++) {
            for (Variant v : vs) {
                EpochCurve c = EpochCurve.read(runDir(out, v, s).resolve(EpochCurve.FILE));
                if (c != null && !c.points().isEmpty()) {
                    curves.computeIfAbsent(v.label(), k -> new ArrayList<>()).add(c);
                }
            }
        }
        if (!curves.isEmpty()) {
            PerClassChart.write(PerClassChart.curves(curves, machine.describe(), command),
                    docs.resolve("results-curves.png"), 1200, 700);
            md += "\n![learning curves](results-curves.png)\n";
        }
        BenchIo.write(docs.resolve("results.md"), md + handWritten(docs.resolve("results.md")));
        System.out.print(md);
        System.out.println("wrote " + docs.resolve("results.md") + " and " + docs.resolve("results-per-class.png"));
        return 0;
    }

    /**
     * A finished run is reused (--resume, --aggregate-only) only if it ran with exactly these settings: a
     * folder left by other options would otherwise slip into the table under this command.
     */
    static void checkSameSettings(Report done, TrainConfig cfg, Path file) {
        if (done.settings() == null) {
            return;
        }
        checkSameSettings(done.settings(), cfg, file);
    }

    /** As above for any settings written beside a run; a setting they predate counts as its default. */
    static void checkSameSettings(PartialConfig settings, TrainConfig cfg, Path file) {
        PartialConfig want = PartialConfig.of(cfg).withoutRuntime();
        PartialConfig done = PartialConfig.of(settings.resolve()).withoutRuntime();
        if (done.equals(want)) {
            return;
        }
        List<String> differ = new ArrayList<>();
        for (java.lang.reflect.Field f : PartialConfig.fields()) {
            try {
                Object was = f.get(done);
                Object now = f.get(want);
                if (!java.util.Objects.equals(was, now)) {
                    differ.add(PartialConfig.publicName(f.getName()) + " " + was + " (now " + now + ")");
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(file + " was trained with other settings than this command's: "
                + String.join(", ", differ) + "; use another --out, or delete the folder to train it again");
    }

    /** The strong evaluation's report in each run folder. */
    static final String STRONG_REPORT = "report-autoattack.json";

    /** PGD-20 and the AutoAttack preset (their worst case is the headline), or none. */
    List<String> strongAttacks() {
        if (autoAttack.equalsIgnoreCase("none")) {
            return List.of();
        }
        List<String> names = List.of("pgd-20", "autoattack-" + autoAttack.toLowerCase(Locale.ROOT));
        names.forEach(EvaluationAttacks::check);
        if (autoAttackSubset < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--autoattack-subset must be >= 0; got "
                    + autoAttackSubset);
        }
        return names;
    }

    /** Evaluates the weights saved in {@code dir} with {@code cfg}'s attacks on its test subset. */
    static void evaluateStrong(TrainConfig cfg, Path dir, Path file) throws java.io.IOException {
        Path weights = dir.resolve("model.npz");
        if (!Files.exists(weights)) {
            throw new IllegalStateException(weights + " is missing (a run trained before the experiment saved its "
                    + "weights): delete " + dir.resolve("report.json") + " to train it again");
        }
        Dataset test = TrainingRun.loadTest(cfg);
        System.err.printf(Locale.ROOT, "== %s seed %d: %s on %d test examples%n", Variant.labelOf(PartialConfig.of(cfg)),
                cfg.data().seed(),
                cfg.evalAttacks(), test.size());
        try (java.io.InputStream in = Files.newInputStream(weights);
             Classifier f = Classifier.fromNpz(cfg.model(), test.info(), Devices.resolve(cfg.runtime().device()), in)) {
            ClassWiseEvaluator ev = new ClassWiseEvaluator(
                    cfg.evaluationAttacks(),
                    cfg.optimisation().batchSize());
            long t0 = System.nanoTime();
            Report.of(cfg, ev.evaluate(f, test), null).write(file);
            System.err.printf(Locale.ROOT, "   evaluated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * Trains one configuration, evaluates it class-wise and writes its report (and weights) beside {@code file};
     * with {@code curveSubset > 0}, after every epoch also the curve point on that many test examples under
     * the first evaluation attack ({@link EpochCurve}, its time left out of the training time). With a
     * {@code trunk} (the branch design) the run starts from the trunk's checkpoint, or from its own state after its
     * last finished epoch if it was cut short ({@link Branches}), and its cost counts the trunk's.
     */
    static void runOne(TrainConfig cfg, Path file, int curveSubset, Branches.Trunk trunk) {
        System.err.printf(Locale.ROOT, "== %s seed %d: training%s%n", Variant.labelOf(PartialConfig.of(cfg)),
                cfg.data().seed(), trunk == null ? "" : " from the trunk");
        TrainingRun run = new TrainingRun(cfg);
        Dataset train = TrainingRun.loadTrain(cfg);
        Dataset test = TrainingRun.loadTest(cfg);
        String curveAttack = cfg.evalAttacks().isEmpty() ? null : cfg.evalAttacks().get(0);
        TrainConfig curveCfg = cfg.with(p -> {
            p.testSubset = curveSubset;
            p.evalAttacks = curveAttack == null ? List.of() : List.of(curveAttack);
        });
        Dataset curveTest = curveSubset > 0 && curveAttack != null ? TrainingRun.loadTest(curveCfg) : null;
        ClassWiseEvaluator curveEval = curveTest == null ? null
                : new ClassWiseEvaluator(curveCfg.evaluationAttacks(), cfg.optimisation().batchSize());
        Path curveFile = file.resolveSibling(EpochCurve.FILE);
        double[] curveSeconds = {0};
        double[] curveCpu = {0};
        try (Classifier f = run.newModel(train)) {
            SgdMomentum opt = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
            Branches.Start start = trunk == null ? Branches.Start.FRESH
                    : Branches.start(trunk, cfg, file.getParent(), f, opt);
            EpochCurve[] curve = {start.position().epoch() > 0 && EpochCurve.read(curveFile) != null
                    ? EpochCurve.read(curveFile) : new EpochCurve(curveAttack, 0, train.info().classNames(), List.of())};
            List<TrainingListener> listeners = new ArrayList<>();
            listeners.add(TrainingListener.onStep(p -> {
                if (p.batch() == p.batches() - 1) {
                    System.err.printf(Locale.ROOT, "   epoch %d/%d loss %.3f drop %.2f %.0f ex/s%n", p.epoch() + 1,
                            p.epochs(), p.loss(), p.dropRate(), p.examplesPerSecond());
                    if (curveEval != null) {
                        long t0 = System.nanoTime();
                        Double c0 = TrainingCost.processCpuSeconds();
                        curve[0] = curve[0].plus(p.epoch() + 1, curveEval.evaluate(f, curveTest));
                        curve[0].write(curveFile);
                        curveSeconds[0] += (System.nanoTime() - t0) / 1e9;
                        Double c1 = TrainingCost.processCpuSeconds();
                        curveCpu[0] += c0 == null || c1 == null ? 0 : c1 - c0;
                        EpochCurve.Point last = curve[0].points().get(curve[0].points().size() - 1);
                        System.err.printf(Locale.ROOT, "   curve: clean %.3f / %.3f, %s %.3f / %.3f (avg / worst), "
                                        + "over-confident %.3f%n", last.cleanAverage(), last.cleanWorst(), curveAttack,
                                last.robustAverage(), last.robustWorst(), last.overConfidentAverage());
                    }
                }
            }));
            if (trunk != null) {
                listeners.add(Branches.saver(cfg, file.getParent(), f, opt, start.earlier(),
                        () -> new double[]{curveSeconds[0], curveCpu[0]}));
            }
            TrainingRun.Result result;
            try (TrainingRun.Steps steps = run.steps(f, train, opt, run.localAttack(f), start.position(), listeners)) {
                result = steps.run();
            }
            TrainingCost c = result.cost();
            TrainingCost own = c.withTime(c.epochs(), c.seconds() - curveSeconds[0],
                    c.cpuSeconds() == null ? null : c.cpuSeconds() - curveCpu[0]);
            TrainingCost cost = start.earlier() == null ? own : own.after(start.earlier());
            System.err.printf(Locale.ROOT, "   trained in %.0f s, %.0f CPU s (+ %.0f s of curve evaluation); evaluating "
                    + "on %d test examples%n", cost.seconds(), cost.cpuSeconds() == null ? Double.NaN : cost.cpuSeconds(),
                    curveSeconds[0], test.size());
            ClassWiseEvaluator ev = new ClassWiseEvaluator(
                    cfg.evaluationAttacks(),
                    cfg.optimisation().batchSize());
            ClassWiseReport eval = ev.evaluate(f, test);
            try (java.io.OutputStream os = Files.newOutputStream(Files.createDirectories(file.getParent())
                    .resolve("model.npz"))) {
                ModelWeights.exportNpz(f, os);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            CheckpointInfo.of(cfg.model(), train.info(), cfg.method()).write(file.resolveSibling(CheckpointInfo.FILE));
            Report.of(cfg, eval, cost).write(file); // last: a report means the run is done
        }
    }

    /**
     * Times {@code probe} training batches of every method (after one untimed batch) and one evaluation
     * batch per attack on a fresh model, and projects the whole experiment. HAM is projected at the
     * PGD-AT cost (an upper bound: early-dropping only makes its batches cheaper).
     */
    private int estimate(List<Variant> vs, MachineInfo machine, String command) {
        final int probe = 2;
        TrainConfig b = base(setting.firstSeed);
        Dataset train = TrainingRun.loadTrain(b);
        Dataset test = TrainingRun.loadTest(b);
        int trainBatches = (train.size() + b.optimisation().batchSize() - 1) / b.optimisation().batchSize();
        int testBatches = (test.size() + b.optimisation().batchSize() - 1) / b.optimisation().batchSize();
        int[] rows = java.util.stream.IntStream.range(0, Math.min(b.optimisation().batchSize(), train.size())).toArray();
        StringBuilder md = new StringBuilder("# Experiment duration estimate\n\nMachine: " + machine.describe()
                + "  \nCommand: `" + command + "`\n\n| part | s/batch | batches per seed | s per seed |\n| --- | ---: | ---: | ---: |\n");
        double perSeed = 0;
        double pgdStep = Double.NaN;
        long probeWall0 = System.nanoTime();
        long probeCpu0 = processCpuNanos();
        try (Classifier f = new TrainingRun(b).newModel(train)) {
            for (Variant v : vs) {
                TrainConfig cfg = v.apply(b).with(p -> p.warmupEpochs = 0).validate();
                double sec;
                if (v.method().equals("ham") && !Double.isNaN(pgdStep)) {
                    sec = pgdStep;
                } else {
                    TrainingMethod m = org.hamkafka.core.train.Methods.create(
                            v.method().equals("ham") ? cfg.with(p -> p.method = "pgd-at") : cfg);
                    SgdMomentum opt = new SgdMomentum(cfg.optimisation().momentum(), cfg.optimisation().weightDecay());
                    sec = timeBatches(probe, () -> {
                        try (NDManager mm = f.manager().newSubManager()) {
                            NDArray x = train.images(mm, rows);
                            NDArray y = train.labels(mm, rows);
                            m.step(f, opt, x, y, Arrays.stream(rows).asLongStream().toArray(), 1, 0, 0.01f);
                        }
                    });
                    opt.clear();
                    if (v.method().equals("pgd-at") || v.method().equals("ham")) {
                        pgdStep = sec;
                    }
                }
                double run = sec * trainBatches * setting.values().epochs;
                perSeed += run;
                md.append(String.format(Locale.ROOT, "| train %s%s | %.2f | %d | %.0f |%n", v.label(),
                        v.method().equals("ham") ? " (at PGD-AT cost, upper bound)" : "", sec, trainBatches * setting.values().epochs, run));
            }
            double evalSec = 0;
            for (Attack a : EvaluationAttacks.create(methodSettings.values().evalAttacks, b.threat().eps(), b.threat().threatNorm(), 0)) {
                double sec = timeBatches(probe, () -> {
                    try (NDManager mm = f.manager().newSubManager()) {
                        a.perturb(f, test.images(mm, rows), test.labels(mm, rows), null);
                    }
                });
                evalSec += sec;
                md.append(String.format(Locale.ROOT, "| evaluate %s (per method) | %.2f | %d | %.0f |%n", a.name(), sec,
                        testBatches * vs.size(), sec * testBatches * vs.size()));
            }
            perSeed += evalSec * testBatches * vs.size();
        }
        double total = perSeed * setting.seeds;
        double wall = (System.nanoTime() - probeWall0) / 1e9;
        double cpu = (processCpuNanos() - probeCpu0) / 1e9;
        // on a shared machine the process gets less than all cores: scale by the share it got
        double share = cpu / (wall * machine.cores());
        md.append(String.format(Locale.ROOT, "%nProjected: %.0f s per seed, %.0f s (%.1f h) for %d seed(s); measured on "
                + "the first %d rows of a fresh model (probe %d batches after one untimed batch).  %n", perSeed, total,
                total / 3600, setting.seeds, rows.length, probe));
        md.append(String.format(Locale.ROOT, "While probing, this process used %.0f %% of the %d cores (CPU %.0f s in %.0f s "
                + "wall); on an otherwise idle machine the projection would be about %.0f s (%.1f h).%n", 100 * share,
                machine.cores(), cpu, wall, total * share, total * share / 3600));
        BenchIo.write(out.resolve("estimate.md"), md.toString());
        System.out.print(md);
        return 0;
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static double timeBatches(int n, Runnable batch) {
        batch.run();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            batch.run();
        }
        return (System.nanoTime() - t0) / 1e9 / n;
    }

    /** The part of an existing results page from its first hand-written heading on: a regenerated table keeps it. */
    static String handWritten(java.nio.file.Path page) {
        try {
            String old = java.nio.file.Files.exists(page) ? java.nio.file.Files.readString(page) : "";
            int at = old.indexOf("\n## How it ran (written by hand");
            return at < 0 ? "" : "\n" + old.substring(at + 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + page + ": " + e.getMessage(), e);
        }
    }
}
