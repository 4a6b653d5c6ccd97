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

    private record Key(String dataset, String dir, int subset, long seed) {
    }

    private final Map<Key, Dataset> cache = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Dataset> eldest) {
            return size() > KEEP;
        }
    };

    public synchronized Dataset train(TrainConfig cfg) {
        // the subset depends on the seed only when a subset is drawn
        Key k = new Key(cfg.dataset(), cfg.runtime().dataDir(), cfg.data().trainSubset(), cfg.data().trainSubset() > 0 ? cfg.data().seed() : 0);
        Dataset d = cache.get(k);
        if (d == null) {
            d = TrainingRun.loadTrain(cfg);
            cache.put(k, d);
        }
        return d;
    }
}
