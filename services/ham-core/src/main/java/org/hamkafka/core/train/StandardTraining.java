package org.hamkafka.core.train;

import ai.djl.ndarray.NDArray;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.model.Classifier;

/** Plain empirical risk minimisation: no attack, CE on the clean batch. */
public final class StandardTraining implements TrainingMethod {
    private final ClassWeights classWeights;

    public StandardTraining() {
        this(ClassWeights.NONE);
    }

    private StandardTraining(ClassWeights classWeights) {
        this.classWeights = classWeights;
    }

    @Override
    public TrainingMethod withClassWeights(ClassWeights weights) {
        return new StandardTraining(weights);
    }

    @Override
    public String name() {
        return "standard";
    }

    @Override
    public AttackOutput attack(Classifier f, NDArray x, NDArray y, long[] exampleIds, long seed, int epoch) {
        int n = (int) x.getShape().get(0);
        return new AttackOutput(null, Starts.all(n), null, new AttackStats(n, n, 0, 0, 0));
    }

    @Override
    public StepResult train(Classifier f, SgdMomentum optimizer, NDArray x, NDArray y, AttackOutput attack, float lr,
                            int epoch) {
        int n = (int) x.getShape().get(0);
        float loss = WeightedLoss.step(f, optimizer, x, y, classWeights.apply(null, y), lr);
        return WeightedLoss.result(loss, n, n, attack.stats());
    }
}
