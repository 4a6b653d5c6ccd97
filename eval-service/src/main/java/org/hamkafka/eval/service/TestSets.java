package org.hamkafka.eval.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.data.Subsets;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test split of each data set, read once from {@code ham.data.dir/<name>} (default: ham-core's
 * {@code Datasets.defaultDir}), limited to a class-balanced subset when {@code ham.eval.test-subset} > 0.
 */
@ApplicationScoped
public class TestSets {
    private final Optional<String> dataDir;
    private final EvalSettings settings;
    private final Map<String, Dataset> loaded = new ConcurrentHashMap<>();

    public TestSets(@ConfigProperty(name = "ham.data.dir") Optional<String> dataDir, EvalSettings settings) {
        this.dataDir = dataDir.filter(s -> !s.isBlank());
        this.settings = settings;
    }

    /** @throws IllegalArgumentException unknown data set; DatasetNotFoundException / UncheckedIOException for files */
    public Dataset test(String dataset) {
        String name = Datasets.canonicalName(dataset);
        return loaded.computeIfAbsent(name, n -> {
            Path dir = dataDir.map(root -> Path.of(root).resolve(n)).orElse(null);
            Dataset all = Datasets.load(n, dir, false);
            int subset = settings.testSubset();
            return subset > 0 && subset < all.size() ? Subsets.classBalanced(all, subset, settings.seed()) : all;
        });
    }
}
