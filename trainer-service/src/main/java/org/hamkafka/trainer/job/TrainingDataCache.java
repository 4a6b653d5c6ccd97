package org.hamkafka.trainer.job;

import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training sets by (data set, folder, subset, seed), loaded with ham-core's {@link TrainingRun#loadTrain}
 * (the same subset the in-process run trains on). Keeps the two most recent: a full Fashion-MNIST
 * is about 190 MB of floats.
 */
@ApplicationScoped
public class TrainingDataCache {
    private static final int KEEP = 2;

    private record Key(String dataset, String dir, int subset, int validation, long seed) {
    }

    private final Map<Key, Dataset> cache = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Dataset> eldest) {
            return size() > KEEP;
        }
    };

    /** What a job's checkpoints are evaluated on: its test subset's size and the data set's classes. */
    public record TestSplit(int examples, int classes) {
    }

    private final Map<Key, TestSplit> testSplits = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, TestSplit> eldest) {
            return size() > 16;
        }
    };

    /**
     * The test subset as ham-core draws it (the split is read once per data set, folder and size); a subset
     * larger than the split is ham-core's IllegalArgumentException naming test_subset.
     */
    public synchronized TestSplit testSplit(TrainConfig cfg) {
        Key k = new Key(cfg.dataset(), cfg.runtime().dataDir(), cfg.data().testSubset(), 0, 0);
        TestSplit t = testSplits.get(k);
        if (t == null) {
            Dataset test = TrainingRun.loadTest(cfg);
            t = new TestSplit(test.size(), test.info().numClasses());
            testSplits.put(k, t);
        }
        return t;
    }

    public synchronized Dataset train(TrainConfig cfg) {
        // the subset depends on the seed only when a subset is drawn or a validation split held out
        boolean seeded = cfg.data().trainSubset() > 0 || cfg.data().validationSize() > 0;
        Key k = new Key(cfg.dataset(), cfg.runtime().dataDir(), cfg.data().trainSubset(), cfg.data().validationSize(),
                seeded ? cfg.data().seed() : 0);
        Dataset d = cache.get(k);
        if (d == null) {
            d = TrainingRun.loadTrain(cfg);
            cache.put(k, d);
        }
        return d;
    }
}
