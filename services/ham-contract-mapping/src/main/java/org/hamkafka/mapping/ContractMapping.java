package org.hamkafka.mapping;

import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.ShardStats;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.eval.FairnessMetrics;
import org.hamkafka.core.train.TrainConfig;

import java.util.List;
import java.util.Set;

/**
 * ham-core's types to and from the attack topics' records, one mapping each way per boundary: the
 * training settings the attack half needs, the data set's description, the attack's cost, the
 * fairness aggregates. Used by the trainer, the attack worker, eval-service and the benches.
 */
public final class ContractMapping {
    /** A data set of one's own, as a worker accepts its description: at most this many pixels a side ... */
    static final int MAX_SIDE = 512;
    /** ... and this many classes. */
    static final int MAX_CLASSES = 1000;

    /**
     * The settings of a {@code TrainConfig} (as paths of its record components) that cross to the attack worker in
     * {@link AttackSettings}, and so must come back out of {@link #trainConfig} as they went in.
     */
    public static final Set<String> CARRIED_TO_ATTACK = Set.of("model", "method", "data.dataset", "threat.norm",
            "threat.eps", "threat.alpha", "threat.steps", "ham.dropStep", "ham.weighting", "ham.variationOnLogits",
            "ham.warmupEpochs", "baselines.tradesBeta", "baselines.fastAlpha", "classWise.eps");
    /**
     * The settings the attack half never reads: the trainer owns them (HAM's λ and b shape the weights the trainer
     * computes from the returned variation, the class weights weigh the training half's loss, a fairness rule's
     * settings and validation split decide the budgets each request carries; the optimiser,
     * subsets, seed, evaluation and pipelining are the job's loop) and the worker's own configuration (where it
     * runs). ContractMappingBoundaryTest fails on a setting in neither set, so the next one added cannot be lost at
     * the wire unnoticed.
     */
    public static final Set<String> TRAINER_ONLY = Set.of("data.trainSubset", "data.testSubset", "data.seed",
            "data.validationSize", "ham.lambda", "ham.base", "classWise.weights", "fairness.frlRate", "fairness.frlBound",
            "fairness.watEta", "optimisation.epochs", "optimisation.batchSize",
            "optimisation.lr", "optimisation.momentum", "optimisation.weightDecay", "evalAttacks",
            "pipelining.shardsPerBatch", "pipelining.batchesInFlight", "runtime.dataDir", "runtime.device");

    /** ham-core's PGD-AT and HAM always start from a uniform random point in the eps-ball. */
    private static final Set<String> ALWAYS_RANDOM_START = Set.of("pgd-at", "ham");

    private ContractMapping() {
    }

    /** The attack half's settings of a training configuration. */
    public static AttackSettings attackSettings(TrainConfig cfg) {
        return attackSettings(cfg, null);
    }

    /**
     * The attack half's settings of an epoch: the configuration's, with {@code classEps} the epoch's budgets where a
     * fairness rule sets them (null: the configuration's).
     */
    public static AttackSettings attackSettings(TrainConfig cfg, List<Float> classEps) {
        return new AttackSettings(cfg.method(), cfg.threat().eps(), cfg.threat().alpha(), cfg.threat().steps(),
                cfg.ham().dropStep(), cfg.threat().norm(), true, cfg.ham().variationOnLogits(),
                cfg.baselines().tradesBeta(), cfg.baselines().fastAlpha(), cfg.ham().warmupEpochs(),
                cfg.ham().weighting(), classEps != null ? classEps : cfg.classWise().eps());
    }

    /**
     * The training configuration whose attack half a request asks for: the data set's defaults with
     * every setting the request carries, validated (an impossible one is named, prefixed {@code settings.}).
     */
    public static TrainConfig trainConfig(AttackRequest r) {
        AttackSettings s = r.settings();
        if (!s.randomStart() && ALWAYS_RANDOM_START.contains(s.method())) {
            throw new IllegalArgumentException("settings.random_start=false is not supported for method "
                    + s.method() + ": ham-core's PGD-AT and HAM always start from a uniform random point in the eps-ball");
        }
        TrainConfig cfg = TrainConfig.defaults(r.dataset().name()).with(p -> {
            p.model = r.arch();
            p.method = s.method();
            p.norm = s.norm();
            p.eps = s.eps();
            p.alpha = s.alpha();
            p.steps = s.steps();
            p.dropStep = s.dropStep();
            p.variationOnLogits = s.variationOnLogits();
            p.tradesBeta = s.tradesBeta();
            p.fastAlpha = s.fastAlpha();
            p.warmupEpochs = s.warmupEpochs();
            p.weighting = s.weighting(); // absent (an older sender): the data set's default, tanh weights
            p.classEps = s.classEps(); // absent: eps for every class; frl: the epoch's budgets
        });
        try {
            return cfg.validateAttackHalf();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("settings: " + e.getMessage(), e);
        }
    }

    /** A data set's description as the contracts carry it. */
    public static DatasetSpec datasetSpec(DatasetInfo info) {
        return new DatasetSpec(info.name(), info.channels(), info.height(), info.width(), info.numClasses(),
                info.classNames(), info.mean(), info.std());
    }

    /**
     * A received data set description: for a known data set its shape must be ham-core's, class names and
     * normalization are the request's where it carries them (else ham-core's table); a user's own data set
     * ({@code image-folder:<name>}, {@code idx:<name>}) is described by the request alone, within bounds a
     * worker can hold (1 or 3 channels, at most {@value #MAX_SIDE} pixels a side, 2 to {@value #MAX_CLASSES}
     * named classes, normalization for every channel).
     */
    public static DatasetInfo datasetInfo(DatasetSpec spec) {
        if (Datasets.isOwn(spec.name())) {
            return ownDatasetInfo(spec);
        }
        DatasetInfo known = Datasets.info(spec.name());
        if (spec.channels() != known.channels() || spec.height() != known.height() || spec.width() != known.width()
                || spec.numClasses() != known.numClasses()) {
            throw new IllegalArgumentException("dataset " + spec.name() + " is " + known.channels() + "x"
                    + known.height() + "x" + known.width() + " with " + known.numClasses() + " classes; the request says "
                    + spec.channels() + "x" + spec.height() + "x" + spec.width() + " with " + spec.numClasses());
        }
        List<String> names = spec.classNames() != null ? spec.classNames() : known.classNames();
        float[] mean = spec.mean() != null ? spec.mean() : known.mean();
        float[] std = spec.std() != null ? spec.std() : known.std();
        requirePositiveStd(std);
        return new DatasetInfo(known.name(), spec.channels(), spec.height(), spec.width(), names, mean, std);
    }

    private static DatasetInfo ownDatasetInfo(DatasetSpec spec) {
        String n = Datasets.canonicalName(spec.name());
        if (spec.channels() != 1 && spec.channels() != 3) {
            throw new IllegalArgumentException("dataset " + n + ": channels must be 1 or 3; got " + spec.channels());
        }
        if (spec.height() < 1 || spec.height() > MAX_SIDE || spec.width() < 1 || spec.width() > MAX_SIDE) {
            throw new IllegalArgumentException("dataset " + n + ": height and width must be in [1, " + MAX_SIDE
                    + "]; got " + spec.height() + "x" + spec.width());
        }
        if (spec.numClasses() < 2 || spec.numClasses() > MAX_CLASSES) {
            throw new IllegalArgumentException("dataset " + n + ": num_classes must be in [2, " + MAX_CLASSES
                    + "]; got " + spec.numClasses());
        }
        if (spec.classNames() == null || spec.classNames().size() != spec.numClasses()) {
            throw new IllegalArgumentException("dataset " + n + ": a data set of one's own carries its "
                    + spec.numClasses() + " class_names; got " + (spec.classNames() == null ? "none"
                    : spec.classNames().size()));
        }
        if (spec.mean() == null || spec.std() == null || spec.mean().length != spec.channels()
                || spec.std().length != spec.channels()) {
            throw new IllegalArgumentException("dataset " + n + ": a data set of one's own carries mean and std, one "
                    + "value per channel (" + spec.channels() + ")");
        }
        requirePositiveStd(spec.std());
        return new DatasetInfo(n, spec.channels(), spec.height(), spec.width(), spec.classNames(), spec.mean(),
                spec.std());
    }

    private static void requirePositiveStd(float[] std) {
        for (float v : std) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("dataset.std must be > 0 per channel; got " + v);
            }
        }
    }

    public static ShardStats shardStats(AttackStats s) {
        return new ShardStats(s.examplesIn(), s.examplesKept(), s.forwardRows(), s.backwardRows(), s.millis());
    }

    public static AttackStats attackStats(ShardStats s) {
        return new AttackStats(s.examplesIn(), s.examplesKept(), s.forwardRows(), s.backwardRows(), s.millis());
    }

    /** ham-core's fairness aggregates (the one definition of them) as the public contract carries them. */
    public static ClassAccuracy classAccuracy(FairnessMetrics m) {
        return new ClassAccuracy(m.average(), m.worst(), m.best(), m.std(), m.nstd(), m.worstClass(),
                m.perClass().clone());
    }

    /** The aggregates of per-class accuracies, aligned with {@code classes}. */
    public static ClassAccuracy classAccuracy(List<String> classes, double[] perClass) {
        return classAccuracy(FairnessMetrics.of(perClass, classes));
    }
}
