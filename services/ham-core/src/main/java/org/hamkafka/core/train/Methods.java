package org.hamkafka.core.train;

import org.hamkafka.core.attack.Norm;

/** Builds the training method a configuration names. */
public final class Methods {
    private Methods() {
    }

    public static TrainingMethod create(TrainConfig cfg) {
        // settings are validated where they enter (CLI, POST /jobs, an attack request); not again per call
        Norm norm = cfg.threat().threatNorm();
        switch (cfg.method()) {
            case "standard":
                return new StandardTraining();
            case "pgd-at":
                return new PgdAdversarialTraining(cfg.threat().eps(), cfg.threat().alpha(), cfg.threat().steps(), norm);
            case "trades":
                return new TradesTraining(cfg.threat().eps(), cfg.threat().alpha(), cfg.threat().steps(), cfg.baselines().tradesBeta(), norm);
            case "fast-at":
                return new FastAdversarialTraining(cfg.threat().eps(), cfg.baselines().fastAlpha(), norm);
            case "ham":
                return new HamTraining(cfg.threat().eps(), cfg.threat().alpha(), cfg.threat().steps(), cfg.ham().dropStep(), norm, cfg.ham().lambda(),
                        cfg.ham().base(), cfg.ham().weighting(), cfg.ham().variationOnLogits(), cfg.ham().warmupEpochs());
            default:
                throw new IllegalArgumentException("method must be one of " + TrainConfig.METHODS + "; got '"
                        + cfg.method() + "'");
        }
    }
}
