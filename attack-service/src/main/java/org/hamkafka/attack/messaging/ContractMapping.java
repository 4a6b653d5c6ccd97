package org.hamkafka.attack.messaging;

import org.hamkafka.attack.service.AttackedShard;
import org.hamkafka.attack.service.ShardToAttack;
import org.hamkafka.attack.service.SnapshotRef;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.ShardStats;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.train.TrainConfig;

import java.util.List;
import java.util.Set;

/** Contract records to and from the worker's own types; every impossible value is named. */
public final class ContractMapping {
    private static final Set<String> ALWAYS_RANDOM_START = Set.of("pgd-at", "ham");

    private ContractMapping() {
    }

    /**
     * The training configuration whose attack half the request asks for: ham-core's defaults for the
     * data set, overridden by every setting the request carries, validated.
     *
     * @throws IllegalArgumentException naming the impossible setting
     */
    public static TrainConfig trainConfig(AttackRequest r) {
        AttackSettings s = r.settings();
        if (!s.randomStart() && ALWAYS_RANDOM_START.contains(s.method())) {
            throw new IllegalArgumentException("settings.random_start=false is not supported for method "
                    + s.method() + ": ham-core's PGD-AT and HAM always start from a uniform random point in the eps-ball");
        }
        TrainConfig cfg = TrainConfig.defaults(r.dataset().name()).toBuilder()
                .dataset(r.dataset().name())
                .model(r.arch())
                .method(s.method())
                .norm(s.norm())
                .eps(s.eps())
                .alpha(s.alpha())
                .steps(s.steps())
                .dropStep(s.dropStep())
                .variationOnLogits(s.variationOnLogits())
                .tradesBeta(s.tradesBeta())
                .fastAlpha(s.fgsmAlpha())
                .warmupEpochs(s.warmupEpochs())
                .build();
        try {
            return cfg.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("settings: " + e.getMessage(), e);
        }
    }

    /**
     * The model's data description: the request's shape and, where it carries them, its class names
     * and normalization (else ham-core's table for the data set). The shape must agree with ham-core's.
     */
    public static DatasetInfo datasetInfo(DatasetSpec spec) {
        DatasetInfo known = Datasets.info(spec.name());
        if (spec.channels() != known.channels() || spec.height() != known.height() || spec.width() != known.width()
                || spec.numClasses() != known.numClasses()) {
            throw new IllegalArgumentException("dataset " + spec.name() + " is " + known.channels() + "x"
                    + known.height() + "x" + known.width() + " with " + known.numClasses() + " classes; the request says "
                    + spec.channels() + "x" + spec.height() + "x" + spec.width() + " with " + spec.numClasses());
        }
        List<String> names = spec.classNames() != null ? spec.classNames() : known.classNames();
        float[] mean = spec.mean() != null ? spec.mean() : known.mean();
        float[] std = spec.std() != null ? spec.std() : known.std();
        for (float v : std) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("dataset.std must be > 0 per channel; got " + v);
            }
        }
        return new DatasetInfo(known.name(), spec.channels(), spec.height(), spec.width(), names, mean, std);
    }

    public static ShardToAttack shard(AttackRequest r, SnapshotRef snapshot) {
        TrainConfig cfg = trainConfig(r);
        DatasetInfo info = datasetInfo(r.dataset());
        return new ShardToAttack(r.jobId(), r.step(), r.shardIndex(), r.epoch(), r.seed(), cfg, info, snapshot,
                r.images().floats(), r.images().shape(), r.labels().longs(), r.exampleIds());
    }

    public static AttackResult result(AttackRequest r, AttackedShard s) {
        var st = s.stats();
        Tensor adversarial = s.adversarial() == null ? null : Tensor.ofFloats(s.adversarialShape(), s.adversarial());
        return new AttackResult(SchemaVersion.CURRENT, r.jobId(), r.step(), r.epoch(), r.shardIndex(), r.shardCount(),
                r.shardOffset(), r.modelVersion(), s.keptIndices(), s.variation(), adversarial,
                new ShardStats(st.examplesIn(), st.examplesKept(), st.forwardRows(), st.backwardRows(), st.millis()),
                s.workerId(), null);
    }
}
