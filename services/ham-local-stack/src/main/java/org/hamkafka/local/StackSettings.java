package org.hamkafka.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the local stack is started.
 *
 * @param repoDir           repository root: the fast-jars are {@code <repoDir>/<service>/target/quarkus-app/quarkus-run.jar}
 * @param outDir            logs go to {@code <outDir>/logs/<name>.log}
 * @param dataRoot          folder holding {@code fashion-mnist/} (HAM_DATA_DIR of the services)
 * @param workers           attack-service instances (same consumer group), >= 1
 * @param trainerPort       trainer-service HTTP port, 0 = any free port
 * @param evalPort          eval-service HTTP port, 0 = any free port
 * @param attackPort        first attack-service's HTTP port (the next ones take the following free ports), 0 = any free ports
 * @param attackPartitions  partitions of ham.attack.requests (bounds how many workers attack at once)
 * @param evalAttacks       HAM_EVAL_ATTACKS, e.g. {@code pgd-20}
 * @param evalTestSubset    HAM_EVAL_TEST_SUBSET: class-balanced test subset eval-service evaluates on, 0 = all
 * @param readyTimeout      how long each service may take to answer /q/health/ready
 * @param jvmOptions        options for every service JVM
 * @param extraEnv          further environment variables for every service (e.g. HAM_ATTACK_THREADS)
 * @param trainerEnv        further environment variables for trainer-service only, after extraEnv (e.g.
 *                          HAM_TRAINER_STATE_EVERY_STEPS, or settings of a Kafka channel only the trainer has:
 *                          the other services would fail on a channel without a connector)
 */
public record StackSettings(Path repoDir, Path outDir, Path dataRoot, int workers, int trainerPort, int evalPort,
                            int attackPort, int attackPartitions, String evalAttacks, int evalTestSubset,
                            Duration readyTimeout, List<String> jvmOptions, Map<String, String> extraEnv,
                            Map<String, String> trainerEnv) {
    public static final String TRAINER = "trainer-service";
    public static final String ATTACK = "attack-service";
    public static final String EVAL = "eval-service";
    public static final String TRAINER_DB = "ham_trainer";
    public static final String EVAL_DB = "ham_eval";

    public StackSettings {
        if (workers < 1 || workers > 32) {
            throw new IllegalArgumentException("--workers must be in 1..32, got " + workers);
        }
        for (int p : new int[]{trainerPort, evalPort, attackPort}) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("HTTP ports must be 0 (any free port) or 1..65535, got " + p);
            }
        }
        if (attackPartitions < 1) {
            throw new IllegalArgumentException("attack request partitions must be >= 1, got " + attackPartitions);
        }
        if (evalTestSubset < 0) {
            throw new IllegalArgumentException("--test-subset must be >= 0 (0 = all), got " + evalTestSubset);
        }
        if (evalAttacks == null || evalAttacks.isBlank()) {
            throw new IllegalArgumentException("--eval-attacks must name at least one attack, e.g. pgd-20");
        }
        if (readyTimeout == null || readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("ready timeout must be positive");
        }
        repoDir = repoDir.toAbsolutePath().normalize();
        outDir = outDir.toAbsolutePath().normalize();
        dataRoot = dataRoot.toAbsolutePath().normalize();
        jvmOptions = List.copyOf(jvmOptions);
        extraEnv = Map.copyOf(extraEnv);
        trainerEnv = Map.copyOf(trainerEnv);
    }

    /** Without trainer-only environment variables. */
    public StackSettings(Path repoDir, Path outDir, Path dataRoot, int workers, int trainerPort, int evalPort,
                         int attackPort, int attackPartitions, String evalAttacks, int evalTestSubset,
                         Duration readyTimeout, List<String> jvmOptions, Map<String, String> extraEnv) {
        this(repoDir, outDir, dataRoot, workers, trainerPort, evalPort, attackPort, attackPartitions, evalAttacks,
                evalTestSubset, readyTimeout, jvmOptions, extraEnv, Map.of());
    }

    /** The fast-jar of a service module. */
    public Path jar(String service) {
        return repoDir.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public Path logFile(String name) {
        return outDir.resolve("logs").resolve(name + ".log");
    }
}
