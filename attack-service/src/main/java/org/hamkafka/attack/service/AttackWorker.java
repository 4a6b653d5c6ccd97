package org.hamkafka.attack.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.train.AttackOutput;
import org.hamkafka.core.train.Methods;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingMethod;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Runs the attack half of a training method on one shard: exactly ham-core's
 * {@link TrainingMethod#attack}, with the model of the snapshot the request names.
 */
@ApplicationScoped
public class AttackWorker {
    private final SnapshotCache snapshots;
    private final AttackDevice device;
    private final String workerId;

    public AttackWorker(SnapshotCache snapshots, AttackDevice device, WorkerSettings settings) {
        this.snapshots = snapshots;
        this.device = device;
        this.workerId = settings.workerId().filter(s -> !s.isBlank()).orElseGet(AttackWorker::defaultWorkerId);
    }

    /**
     * @throws IllegalArgumentException  a setting or the shard is impossible (the message names it)
     * @throws SnapshotRejectedException the snapshot is missing, corrupt or not weights of the model
     */
    public AttackedShard attack(ShardToAttack shard) {
        TrainConfig cfg = shard.config(); // validated where it entered (ContractMapping.trainConfig)
        DatasetInfo info = shard.info();
        checkShape(shard, info);
        TrainingMethod method = Methods.create(cfg);
        int n = shard.rows();
        int k = cfg.threat().steps();
        return snapshots.withModel(shard.snapshot(), cfg.model(), info, f -> {
            try (NDManager m = f.manager().newSubManager()) {
                NDArray x = m.create(shard.images(), new Shape(shard.imageShape()));
                NDArray y = m.create(shard.labels());
                AttackOutput out = method.attack(f, x, y, shard.exampleIds(), shard.seed(), shard.epoch());
                int kept = out.keptIndices().length;
                // null: the method needs no adversarial examples (standard training) or nothing was kept
                float[] adv = out.adversarial() == null || kept == 0 ? null : out.adversarial().toFloatArray();
                long[] advShape = {kept, info.channels(), info.height(), info.width()};
                if (adv != null && adv.length != kept * info.pixelsPerImage()) {
                    throw new IllegalStateException(method.name() + " returned " + adv.length
                            + " adversarial values for " + kept + " kept rows");
                }
                return new AttackedShard(out.keptIndices().clone(),
                        out.variation() == null ? null : out.variation().clone(), adv, advShape, out.stats(),
                        (long) n * k, (long) n * k, workerId, f.device().toString());
            }
        });
    }

    public String workerId() {
        return workerId;
    }

    public String device() {
        return device.device().toString();
    }

    private static void checkShape(ShardToAttack s, DatasetInfo info) {
        long[] shape = s.imageShape();
        long[] expected = {shape.length > 0 ? shape[0] : -1, info.channels(), info.height(), info.width()};
        if (shape.length != 4 || !Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException("images must have shape (n, " + info.channels() + ", " + info.height()
                    + ", " + info.width() + ") for " + info.name() + "; got " + Arrays.toString(shape));
        }
        if (shape[0] < 1) {
            throw new IllegalArgumentException("images must hold at least one row; got " + shape[0]);
        }
        if (s.labels().length != shape[0]) {
            throw new IllegalArgumentException("labels has " + s.labels().length + " entries for " + shape[0] + " images");
        }
        if (s.exampleIds().length != shape[0]) {
            throw new IllegalArgumentException("example_ids has " + s.exampleIds().length + " entries for " + shape[0]
                    + " images");
        }
        for (int i = 0; i < s.labels().length; i++) {
            if (s.labels()[i] < 0 || s.labels()[i] >= info.numClasses()) {
                throw new IllegalArgumentException("labels[" + i + "] = " + s.labels()[i] + " is outside [0, "
                        + info.numClasses() + ") of " + info.name());
            }
        }
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "attack-worker";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
