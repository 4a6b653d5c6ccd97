package org.hamkafka.attack.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.Optional;
import java.util.OptionalInt;

/** The worker's own settings (the attack's settings travel in each request). */
@ConfigMapping(prefix = "ham.attack")
public interface WorkerSettings {
    /** cpu, gpu or auto (the GPU when the engine sees one). */
    @WithDefault("auto")
    String device();

    /** PyTorch intra-op threads; unset: PyTorch's default (all cores). */
    OptionalInt threads();

    /** How many model snapshots stay loaded, least recently used evicted first. */
    @WithName("snapshot-cache-size")
    @WithDefault("4")
    int snapshotCacheSize();

    /**
     * How long a request waits for the ModelSnapshot announcement of its model version (it names the sha256);
     * it waits parked, so the attack thread goes on with the requests whose snapshot is known.
     */
    @WithName("snapshot-wait")
    @WithDefault("60s")
    java.time.Duration snapshotWait();

    /**
     * How long a request for a job with no announced snapshot at all waits (parked: it holds no thread, but
     * requests naming jobs that do not exist must not fill the parking for the whole snapshot-wait).
     */
    @WithName("unknown-job-wait")
    @WithDefault("5s")
    java.time.Duration unknownJobWait();

    /**
     * How old (since it was produced) a request may be when its attack would start: an older one is abandoned
     * and dead-lettered, not attacked. Longer than the trainer waits for one shard in all (its attack-timeout
     * times its attempts: 2 min × 3), so whatever it abandons no trainer waits for any more — a backlog left by a
     * dead or slow worker is not attacked from worker to worker.
     */
    @WithName("request-budget")
    @WithDefault("10m")
    java.time.Duration requestBudget();

    /**
     * How many requests may wait parked for their announcement at once (each holds its record, up to the 16 MiB
     * message limit); one more is dead-lettered at once with the reason. Parked requests are acknowledged: a
     * worker that dies loses them, and their trainer resends after its attack-timeout.
     */
    @WithName("parked-requests")
    @WithDefault("64")
    int parkedRequests();

    /** How many announced snapshot digests are remembered. */
    @WithName("known-snapshots")
    @WithDefault("10000")
    int knownSnapshots();

    /**
     * How many inline snapshots (npz bytes sent with the announcement) are kept until their requests come;
     * an older one is read from S3 instead.
     */
    @WithName("inline-snapshots")
    @WithDefault("8")
    int inlineSnapshots();

    /**
     * How far back a starting worker reads ham.models: older announcements are not needed (the trainer
     * announces a version again when it resumes a job or resends a request).
     */
    @WithName("models-lookback")
    @WithDefault("15m")
    java.time.Duration modelsLookback();

    /** Name of this worker in results; unset: host name and process id. */
    @WithName("worker-id")
    Optional<String> workerId();
}
