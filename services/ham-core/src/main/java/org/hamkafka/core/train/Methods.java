package org.hamkafka.core.train;

import org.hamkafka.core.attack.Norm;

/** Builds the training method a configuration names. */
public final class Methods {
    private Methods() {
    }

    public static TrainingMethod create(TrainConfig cfg) {
        cfg.validate();
        Norm norm = cfg.threatNorm();
        switch (cfg.method()) {
            case "standard":
                return new StandardTraining();
            case "pgd-at":
                return new PgdAdversarialTraining(cfg.eps(), cfg.alpha(), cfg.steps(), norm);
            case "trades":
                return new TradesTraining(cfg.eps(), cfg.alpha(), cfg.steps(), cfg.tradesBeta(), norm);
            case "fast-at":
                return new FastAdversarialTraining(cfg.eps(), cfg.fastAlpha(), norm);
            case "ham":
                return new HamTraining(cfg.eps(), cfg.alpha(), cfg.steps(), cfg.dropStep(), norm, cfg.lambda(),
                        cfg.base(), cfg.weighting(), cfg.variationOnLogits(), cfg.warmupEpochs());
            default:
                throw new IllegalArgumentException("method must be one of " + TrainConfig.METHODS + "; got '"
                        + cfg.method() + "'");
        }
    }
}
