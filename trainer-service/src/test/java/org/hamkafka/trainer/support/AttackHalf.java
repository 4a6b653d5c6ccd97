package org.hamkafka.trainer.support;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.AttackOutput;
import org.hamkafka.core.train.Methods;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.model.GradientLock;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The attack half of an attack worker, in the test: the same ham-core call the attack-service
 * makes ({@code TrainingMethod.attack}) on the snapshot the request names. Tests use it to answer
 * the trainer's requests over the in-memory connector or a real broker.
 */
public final class AttackHalf implements AutoCloseable {
    private final Function<String, byte[]> snapshots;
    /** a few models by snapshot key; one worker thread uses this. */
    private final Map<String, Classifier> models = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Classifier> e) {
            if (size() > 3) {
                e.getValue().close();
                return true;
            }
            return false;
        }
    };

    public AttackHalf(Function<String, byte[]> snapshots) {
        this.snapshots = snapshots;
    }

    public synchronized AttackResult attack(AttackRequest req) {
        Classifier f = models.computeIfAbsent(req.modelKey(), key -> {
            byte[] npz = snapshots.apply(key);
            // Classifier.create seeds DJL's global generator: never while the trainer builds its model
            synchronized (Classifier.class) {
                return Classifier.fromNpz(req.arch(), ContractMapping.datasetInfo(req.dataset()), Device.cpu(), new ByteArrayInputStream(npz));
            }
        });
        TrainConfig cfg = ContractMapping.trainConfig(req);
        long t0 = System.nanoTime();
        try (NDManager m = f.manager().newSubManager()) {
            Tensor images = req.images();
            NDArray x = m.create(images.floats(), new Shape(images.shape()));
            NDArray y = m.create(req.labels().longs());
            AttackOutput out;
            // one GradientCollector per JVM: never while the trainer in this JVM trains
            synchronized (GradientLock.LOCK) {
                out = Methods.create(cfg).attack(f, x, y, req.exampleIds(), req.seed(), req.epoch());
            }
            Tensor adv = null;
            if (out.adversarial() != null && out.keptIndices().length > 0) {
                adv = Tensor.ofFloats(out.adversarial().getShape().getShape(), out.adversarial().toFloatArray());
            }
            var s = out.stats();
            return new AttackResult(req.schemaVersion(), req.jobId(), req.step(), req.epoch(), req.shardIndex(),
                    req.shardCount(), req.shardOffset(), req.modelVersion(), out.keptIndices(), out.variation(), adv,
                    ContractMapping.shardStats(new AttackStats(s.examplesIn(), s.examplesKept(), s.forwardRows(),
                            s.backwardRows(), (System.nanoTime() - t0) / 1e6)), "test-worker", null);
        }
    }

    @Override
    public synchronized void close() {
        models.values().forEach(Classifier::close);
        models.clear();
    }
}
