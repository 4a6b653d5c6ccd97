package org.hamkafka.core.train;

import org.hamkafka.core.attack.Norm;

/** Builds the training method a configuration names. */
public final class Methods {
    private Methods() {
    }

    /** The method a configuration names, its training half weighted by class when the configuration says so. */
    public static TrainingMethod create(TrainConfig cfg) {
        return base(cfg).withClassWeights(cfg.classWise().lossWeights())
                .withClassEps(ClassEps.of(cfg.classWise().eps(), cfg.threat().eps()));
    }

    private static TrainingMethod base(TrainConfig cfg) {
        // settings are validated where they enter (CLI, POST /jobs, an attack request); not again per call
        TrainConfig.ThreatModel t = cfg.threat();
        TrainConfig.Ham h = cfg.ham();
        Norm norm = t.threatNorm();
        switch (cfg.method()) {
            case "standard":
                return new StandardTraining();
            case "pgd-at":
                return new PgdAdversarialTraining(t.eps(), t.alpha(), t.steps(), norm);
            case "trades", "frl", "wat": // the fairness rules weight (and re-margin) TRADES epoch by epoch
                return new TradesTraining(t.eps(), t.alpha(), t.steps(), cfg.baselines().tradesBeta(), norm);
            case "fast-at":
                return new FastAdversarialTraining(t.eps(), cfg.baselines().fastAlpha(), norm);
            case "ham":
                return new HamTraining(t.eps(), t.alpha(), t.steps(), h.dropStep(), norm, h.lambda(), h.base(),
                        h.weighting(), h.variationOnLogits(), h.warmupEpochs());
            case "ham-trades":
                return HamTraining.onTrades(t.eps(), t.alpha(), t.steps(), h.dropStep(), norm, h.lambda(), h.base(),
                        h.weighting(), h.variationOnLogits(), h.warmupEpochs(), cfg.baselines().tradesBeta());
            default:
                throw new IllegalArgumentException("method must be one of " + TrainConfig.METHODS + "; got '"
                        + cfg.method() + "'");
        }
    }
}
