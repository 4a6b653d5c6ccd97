package org.hamkafka.core.train;

import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The learning check: a short PGD-AT run on real Fashion-MNIST lifts PGD-20 robust accuracy clearly
 * above that of a standard-trained model of the same size on the same data.
 */
class LearningCheckTest {
    /**
     * tiny-cnn, 2000 class-balanced training / 500 test examples, 3 epochs, eps 0.1, alpha 0.025, K 10,
     * lr 0.01 (the paper's 0.1 makes this 8-channel model collapse to one class under PGD-AT in 3
     * epochs). Measured on 2 cores: standard clean 0.770 / PGD-20 0.052, PGD-AT clean 0.708 / PGD-20
     * 0.428, about 95 s for both runs.
     */
    @Test
    void pgdAtIsClearlyMoreRobustThanStandardTraining() {
        Path dir = Datasets.defaultDir("fashion-mnist");
        Assumptions.assumeTrue(Files.exists(dir.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed at " + dir + " (apt-get install dataset-fashion-mnist)");
        TrainConfig base = TrainConfig.defaults().with(p -> {
            p.model = "tiny-cnn";
            p.device = "cpu";
            p.epochs = 3;
            p.lr = 0.01f;
            p.trainSubset = 2000;
            p.testSubset = 500;
            p.seed = 11L;
            p.evalAttacks = List.of("pgd-20");
        });
        TrainConfig std = base.with(p -> p.method = "standard");
        TrainConfig pgd = base.with(p -> p.method = "pgd-at");
        Dataset train = TrainingRun.loadTrain(std);
        Dataset test = TrainingRun.loadTest(std);

        double[] stdAcc = trainAndEvaluate(std, train, test);
        double[] pgdAcc = trainAndEvaluate(pgd, train, test);
        System.out.printf("learning check: standard clean %.3f robust %.3f | pgd-at clean %.3f robust %.3f%n",
                stdAcc[0], stdAcc[1], pgdAcc[0], pgdAcc[1]);
        assertTrue(stdAcc[0] > 0.6, "standard training learns: clean accuracy " + stdAcc[0]);
        assertTrue(pgdAcc[1] > stdAcc[1] + 0.20, "PGD-AT robust " + pgdAcc[1] + " vs standard " + stdAcc[1]);
    }

    static double[] trainAndEvaluate(TrainConfig cfg, Dataset train, Dataset test) {
        TrainingRun run = new TrainingRun(cfg);
        try (Classifier f = run.newModel(train)) {
            run.train(f, train);
            ClassWiseEvaluator ev = new ClassWiseEvaluator(
                    EvaluationAttacks.create(cfg.evalAttacks(), cfg.threat().eps(), cfg.threat().threatNorm(), 5), 250);
            ClassWiseReport r = ev.evaluate(f, test);
            return new double[]{r.clean().average(), r.robust("pgd-20").average()};
        }
    }
}
