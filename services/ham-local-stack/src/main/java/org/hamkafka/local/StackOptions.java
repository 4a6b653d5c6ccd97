package org.hamkafka.local;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Where a program that starts the stack finds the data and the built services (picocli mixin). */
public final class StackOptions {
    @Option(names = "--data-dir", description = "folder holding fashion-mnist/ (default: $HAM_DATA_DIR, else /usr/share/datasets)")
    Path dataDir;
    @Option(names = "--repo", description = "repository root with the built services (default: -Dham.repo.dir, else the current folder)")
    Path repo;

    /** The data root: the option, else $HAM_DATA_DIR, else Debian's folder. */
    public Path dataRoot() {
        return DataCheck.dataRoot(dataDir, System.getenv());
    }

    /** The IDX files of Fashion-MNIST missing under the data root; empty when all four are there. */
    public List<String> missingFashionMnist() {
        return DataCheck.missingFashionMnist(dataRoot());
    }

    public Path repoDir() {
        if (repo != null) {
            return repo;
        }
        String fromProperty = System.getProperty("ham.repo.dir");
        return Path.of(fromProperty != null ? fromProperty : ".");
    }
}
