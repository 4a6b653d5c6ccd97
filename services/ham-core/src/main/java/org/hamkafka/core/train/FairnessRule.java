package org.hamkafka.core.train;

import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.model.Classifier;

import java.util.List;

/**
 * A robust-fairness method's class-wise rule: before each epoch it measures the model class by class on the
 * validation split ({@link ClassValidation}), moves its multipliers ({@link FairnessState}) and hands the epoch's
 * class weights (and budgets) to the training method, TRADES for both rules here. {@link TrainingRun} calls it at
 * each epoch's start, in the in-process run and in the trainer-service alike; the attack workers only ever see the
 * epoch's budgets ({@link #classEps}), carried with each request.
 */
public interface FairnessRule {
    /** The rule of a configuration's method, or null for a method without one. */
    static FairnessRule of(TrainConfig cfg) {
        TrainConfig.ThreatModel t = cfg.threat();
        return switch (cfg.method()) {
            case "frl" -> new FrlRule(t.eps(), t.alpha(), t.threatNorm(), cfg.fairness().frlRate(),
                    cfg.fairness().frlBound());
            case "wat" -> new WatRule(t.eps(), t.alpha(), t.steps(), t.threatNorm(), cfg.baselines().tradesBeta(),
                    cfg.fairness().watEta());
            default -> null;
        };
    }

    /** The multipliers before the first update: every class alike. */
    FairnessState initial(int classes);

    /** Measures {@code f} on the validation split the rule's way (its attack, seeded by {@code seed}). */
    ClassValidation measure(Classifier f, Dataset validation, int batchSize, long seed);

    /** Forward and backward passes (batch-rows) that {@link #measure} spends on {@code n} examples. */
    long[] passes(int n);

    /** The multipliers for {@code epoch} from the last ones and the measurement taken at its start. */
    FairnessState update(FairnessState last, ClassValidation v, int epoch);

    /** {@code base} (the configuration's method) with the class weights and budgets of {@code s}. */
    TrainingMethod method(TrainingMethod base, FairnessState s);

    /** The budgets of {@code s}, one per class, as the wire carries them; null: eps for every class. */
    List<Float> classEps(FairnessState s);
}
