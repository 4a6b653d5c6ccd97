package org.hamkafka.trainer.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The snapshot versions of one job that are stored in S3 and that it may still need, with their sha256 where
 * known (to announce one again without its bytes), and the rule that says which of them it no longer needs.
 */
public final class StoredSnapshots {
    private final TreeSet<Long> versions = new TreeSet<>();
    /** sha256 of the versions in {@link #versions}; absent for those found in S3 and not read yet. */
    private final Map<Long, String> sha = new HashMap<>();

    /** Remembers version {@code v}; {@code sha256} may be null (found in S3 by a resumed run). */
    void add(long v, String sha256) {
        versions.add(v);
        if (sha256 != null) {
            sha.put(v, sha256);
        }
    }

    boolean contains(long v) {
        return versions.contains(v);
    }

    /** The sha256 of version {@code v}, or null when not known. */
    String sha(long v) {
        return sha.get(v);
    }

    /**
     * The oldest version still needed: by the current weights, by the last stored resume state (the
     * smallest version it refers to) and by every batch in flight.
     */
    static long oldestNeeded(long currentVersion, long stateMinVersion, long[] inFlightVersions) {
        return min(inFlightVersions, Math.min(currentVersion, stateMinVersion));
    }

    /** Forgets the versions older than {@code needed}; returns them, oldest first. */
    List<Long> removeOlderThan(long needed) {
        List<Long> out = new ArrayList<>();
        while (!versions.isEmpty() && versions.first() < needed) {
            long v = versions.pollFirst();
            sha.remove(v);
            out.add(v);
        }
        return out;
    }

    /** The smallest of {@code values} and {@code fallback}. */
    public static long min(long[] values, long fallback) {
        long m = fallback;
        for (long v : values) {
            m = Math.min(m, v);
        }
        return m;
    }
}
