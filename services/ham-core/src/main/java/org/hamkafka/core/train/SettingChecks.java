package org.hamkafka.core.train;

import org.hamkafka.core.attack.EarlyDropPgd;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.attack.Norm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Every setting of a {@link TrainConfig} against its allowed range, each bad one named by its public name. */
final class SettingChecks {
    private SettingChecks() {
    }

    /** Who reads the settings: a whole job, or an attack worker, which skips the settings only the trainer reads. */
    enum Reader { JOB, ATTACK_HALF }

    /** The violations of {@code cfg} as {@code reader} reads it, in declaration order (empty: valid). */
    static List<TrainConfig.Violation> of(TrainConfig cfg, Reader reader) {
        boolean job = reader == Reader.JOB;
        TrainConfig.Data data = cfg.data();
        TrainConfig.ThreatModel threat = cfg.threat();
        TrainConfig.Ham ham = cfg.ham();
        TrainConfig.Baselines baselines = cfg.baselines();
        String model = cfg.model();
        String method = cfg.method();
        List<String> evalAttacks = cfg.evalAttacks();
        Checks c = new Checks();
        String dataset = data.dataset();
        c.require(dataset != null && org.hamkafka.core.data.Datasets.isKnown(dataset), "dataset", "must be one of "
                + TrainConfig.DATASETS + " (<name>: lower-case letters, digits, '.', '_', '-', at most 64: the folder under the "
                + "data root); got '" + dataset + "'");
        c.require(data.trainSubset() >= 0, "trainSubset", "must be >= 0 (0 = the whole training set); got "
                + data.trainSubset());
        c.require(data.testSubset() >= 0, "testSubset", "must be >= 0 (0 = the whole test set); got " + data.testSubset());
        c.require(data.validationSize() >= 0, "validationSize", "must be >= 0 (0 = none); got " + data.validationSize());
        if (job && cfg.usesFairnessRule()) {
            int classes = knownClasses(dataset);
            int least = Math.max(2, classes);
            c.require(data.validationSize() >= least, "validationSize", "must be at least " + least + " (one example per "
                    + "class): " + method + " measures the classes on a held-out validation split (e.g. 1000); got "
                    + data.validationSize());
        }
        if (!knownModel(model)) {
            String m = model == null ? "" : model;
            c.fail("model", m.startsWith("smallcnn-w")
                    ? "smallcnn-w<width> needs a width in (0, 4], e.g. smallcnn-w0.25; got '" + model + "'"
                    : m.matches("wrn-\\d+-\\d+")
                    ? "wrn-<depth>-<width> needs depth = 6n+4 (n >= 1) and width >= 1, e.g. wrn-28-10; got '"
                    + model + "'"
                    : "must be one of " + String.join(", ", org.hamkafka.core.model.Models.KNOWN) + "; got '"
                    + model + "'");
        }
        c.require(method != null && TrainConfig.METHODS.contains(method), "method",
                "must be one of standard, pgd-at, trades, fast-at, ham, ham-trades, frl, wat; got '" + method + "'");
        boolean normOk = true;
        try {
            Norm.parse(threat.norm() == null ? "" : threat.norm());
        } catch (IllegalArgumentException e) {
            normOk = false;
        }
        c.require(normOk, "norm", "must be linf or l2; got '" + threat.norm() + "'");
        // pixels are in [0, 1]: an L∞ budget of 1 or more allows any image
        float maxEps = "l2".equals(threat.norm()) ? 100f : 1f;
        c.require(threat.eps() > 0 && threat.eps() < maxEps, "eps", "must be in (0, " + (int) maxEps
                + ") (pixels are in [0, 1]); got " + threat.eps());
        c.require(threat.alpha() > 0 && threat.alpha() <= maxEps, "alpha", "must be in (0, " + (int) maxEps + "]; got "
                + threat.alpha());
        c.require(threat.steps() >= 1 && threat.steps() <= EvaluationAttacks.MAX_STEPS, "steps", "K must be in [1, "
                + EvaluationAttacks.MAX_STEPS + "]; got " + threat.steps());
        if (cfg.usesHam()) {
            String k = EarlyDropPgd.dropStepProblem(ham.dropStep(), threat.steps());
            c.require(k == null, "dropStep", k);
        }
        c.require(Float.isFinite(ham.lambda()), "lambda", "must be a finite number; got " + ham.lambda());
        c.require(ham.base() >= 0 && Float.isFinite(ham.base()), "base", "must be >= 0; got " + ham.base());
        c.require(ham.warmupEpochs() >= 0, "warmupEpochs", "must be >= 0; got " + ham.warmupEpochs());
        c.require(baselines.tradesBeta() >= 0 && Float.isFinite(baselines.tradesBeta()), "tradesBeta",
                "must be >= 0; got " + baselines.tradesBeta());
        c.require(baselines.fastAlpha() > 0 && baselines.fastAlpha() <= maxEps, "fastAlpha", "must be in (0, "
                + (int) maxEps + "]; got " + baselines.fastAlpha());
        List<Float> cw = cfg.classWise().weights();
        if (cw != null) {
            boolean valuesOk = cw.size() >= 2 && cw.stream().allMatch(w -> w != null && w >= 0 && !w.isInfinite())
                    && cw.stream().anyMatch(w -> w > 0);
            c.require(valuesOk, "classWeights", "must be one finite weight >= 0 per class, not all 0; got " + cw);
            int classes = knownClasses(dataset);
            c.require(!valuesOk || classes < 0 || cw.size() == classes, "classWeights", "needs one weight per class: "
                    + dataset + " has " + classes + " classes; got " + cw.size());
            c.require(!cfg.usesFairnessRule(), "classWeights", "cannot be set for " + method + ", which sets its class "
                    + "weights itself every epoch");
        }
        List<Float> ce = cfg.classWise().eps();
        if (ce != null) {
            float max = maxEps;
            boolean valuesOk = ce.size() >= 2 && ce.stream().allMatch(e -> e != null && e > 0 && e < max);
            c.require(valuesOk, "classEps", "must be one eps in (0, " + (int) maxEps + ") per class; got " + ce);
            int classes = knownClasses(dataset);
            c.require(!valuesOk || classes < 0 || ce.size() == classes, "classEps", "needs one eps per class: "
                    + dataset + " has " + classes + " classes; got " + ce.size());
            c.require(!"standard".equals(method), "classEps", "needs an attack: standard training has none");
            // a worker's frl carries the epoch's budgets here, set by the trainer's rule
            c.require(!job || !"frl".equals(method), "classEps", "cannot be set for frl, which sets each class's "
                    + "budget itself every epoch");
            c.require(!"wat".equals(method), "classEps", "cannot be set for wat, which attacks every class within eps");
        }
        TrainConfig.Fairness fair = cfg.fairness();
        c.require(fair.frlRate() > 0 && fair.frlRate() <= 1, "frlRate", "must be in (0, 1]; got " + fair.frlRate());
        c.require(fair.frlBound() >= 0 && fair.frlBound() <= 1, "frlBound", "must be in [0, 1] (an error rate); got "
                + fair.frlBound());
        c.require(fair.watEta() > 0 && fair.watEta() <= 10, "watEta", "must be in (0, 10]; got " + fair.watEta());
        TrainConfig.Optimisation o = cfg.optimisation();
        c.require(o.epochs() >= 1 && o.epochs() <= 10_000, "epochs", "must be in [1, 10000]; got " + o.epochs());
        c.require(o.batchSize() >= 1 && o.batchSize() <= 65_536, "batchSize", "must be in [1, 65536]; got "
                + o.batchSize());
        c.require(o.lr() > 0 && Float.isFinite(o.lr()), "lr", "must be > 0; got " + o.lr());
        c.require(o.momentum() >= 0 && o.momentum() < 1, "momentum", "must be in [0, 1); got " + o.momentum());
        c.require(o.weightDecay() >= 0 && Float.isFinite(o.weightDecay()), "weightDecay", "must be >= 0; got "
                + o.weightDecay());
        c.require(evalAttacks.size() <= TrainConfig.MAX_EVAL_ATTACKS, "evalAttacks", "at most " + TrainConfig.MAX_EVAL_ATTACKS
                + " attacks; got " + evalAttacks.size());
        for (String a : evalAttacks.subList(0, Math.min(evalAttacks.size(), TrainConfig.MAX_EVAL_ATTACKS))) {
            try {
                EvaluationAttacks.check(a);
            } catch (IllegalArgumentException e) {
                c.fail("evalAttacks", e.getMessage());
            }
        }
        TrainConfig.Pipelining p = cfg.pipelining();
        c.require(p.shardsPerBatch() >= 1 && p.shardsPerBatch() <= o.batchSize(), "shardsPerBatch",
                "must be in [1, batch_size = " + o.batchSize() + "]; got " + p.shardsPerBatch());
        c.require(p.batchesInFlight() >= 1 && p.batchesInFlight() <= TrainConfig.MAX_BATCHES_IN_FLIGHT, "batchesInFlight",
                "must be in [1, " + TrainConfig.MAX_BATCHES_IN_FLIGHT + "]; got " + p.batchesInFlight());
        String device = cfg.runtime().device();
        c.require(device != null && Set.of("cpu", "gpu", "cuda", "auto").contains(device.toLowerCase(Locale.ROOT)),
                "device", "must be one of cpu, gpu, auto; got '" + device + "'");
        return c.violations;
    }

    /** The classes of a built-in data set; -1 for one of the user's own (its files say) or an unknown name. */
    private static int knownClasses(String dataset) {
        try {
            return dataset == null || org.hamkafka.core.data.Datasets.isOwn(dataset) ? -1
                    : org.hamkafka.core.data.Datasets.info(dataset).numClasses();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static boolean knownModel(String model) {
        try {
            return org.hamkafka.core.model.Models.isKnown(model);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Collects violations, each named by the field's public name and option. */
    private static final class Checks {
        final List<TrainConfig.Violation> violations = new ArrayList<>();

        void require(boolean ok, String field, String allowed) {
            if (!ok) {
                fail(field, allowed);
            }
        }

        void fail(String field, String allowed) {
            violations.add(new TrainConfig.Violation(PartialConfig.publicName(field), PartialConfig.named(field) + " " + allowed));
        }
    }
}
