package org.hamkafka.eval.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/** How checkpoints are evaluated (the reference's evaluation: PGD-20, step eps/4, random start). */
@ConfigMapping(prefix = "ham.eval")
public interface EvalSettings {
    /** Evaluation attacks; the first is the headline robust accuracy. pgd-K, cw-K or fgsm. */
    @WithDefault("pgd-20")
    List<String> attacks();

    /** Class-balanced test subset size; 0 = the whole test set. */
    @WithName("test-subset")
    @WithDefault("0")
    int testSubset();

    @WithName("batch-size")
    @WithDefault("200")
    int batchSize();

    /** Seed of the attacks' random starts and of the test subset. */
    @WithDefault("0")
    long seed();

    /** cpu, gpu or auto. */
    @WithDefault("auto")
    String device();

    /** Evaluation budget; unset: the eps the checkpoint was trained with (from its announcement). */
    Optional<Float> eps();

    @WithDefault("linf")
    String norm();

    /**
     * The most forward + backward example-rows one checkpoint's evaluation may cost, bounded before it starts
     * ({@code EvaluationAttacks.maxRows}); one over it is refused, naming this setting. The default admits
     * AutoAttack's standard version on a few thousand examples, not on a whole 10,000-example test set.
     */
    @WithName("max-rows")
    @WithDefault("50000000")
    @jakarta.validation.constraints.Min(1)
    long maxRows();

    /** Jobs whose worst-class gauge is exported: those evaluated most recently (see {@link EvalMetrics}). */
    @WithName("metrics.jobs")
    @WithDefault("100")
    @jakarta.validation.constraints.Min(1)
    int metricsJobs();
}
