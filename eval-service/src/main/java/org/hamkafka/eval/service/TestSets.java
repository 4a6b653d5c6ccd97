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
 * The test split of each data set, read once from {@code ham.data.dir/<folder>} (a known data set's name,
 * {@code <name>} of a user's own {@code <kind>:<name>}; default: ham-core's {@code Datasets.defaultDir}),
 * limited to a class-balanced subset when the subset asked for (a job's own
 * {@code test_subset}, else {@code ham.eval.test-subset}) is > 0.
 */
@ApplicationScoped
public class TestSets {
    private final Optional<String> dataDir;
    private final EvalSettings settings;
    private final Map<String, Dataset> loaded = new ConcurrentHashMap<>();
    private final Map<String, Dataset> subsets = new ConcurrentHashMap<>();

    public TestSets(@ConfigProperty(name = "ham.data.dir") Optional<String> dataDir, EvalSettings settings) {
        this.dataDir = dataDir.filter(s -> !s.isBlank());
        this.settings = settings;
    }

    /** @throws IllegalArgumentException unknown data set; DatasetNotFoundException / UncheckedIOException for files */
    public Dataset test(String dataset) {
        return test(dataset, settings.testSubset());
    }

    /** The class-balanced subset of {@code subset} test examples (0, or at least the whole set: all of it). */
    public Dataset test(String dataset, int subset) {
        String name = Datasets.canonicalName(dataset);
        Dataset all = loaded.computeIfAbsent(name, n -> {
            Path dir = dataDir.map(root -> Path.of(root).resolve(Datasets.folderName(n))).orElse(null);
            return Datasets.load(n, dir, false);
        });
        if (subset <= 0 || subset >= all.size()) {
            return all;
        }
        return subsets.computeIfAbsent(name + "/" + subset, k -> Subsets.classBalanced(all, subset, settings.seed()));
    }
}
