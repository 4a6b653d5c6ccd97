package org.hamkafka.attack.messaging;

import org.hamkafka.attack.service.AttackedShard;
import org.hamkafka.attack.service.ShardToAttack;
import org.hamkafka.attack.service.SnapshotRef;
import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackResult;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.mapping.ContractMapping;

/** An attack request as the worker's shard, and the attacked shard as the result record. */
public final class ShardMessages {
    private ShardMessages() {
    }

    /** @throws IllegalArgumentException naming an impossible setting or data set description */
    public static ShardToAttack shard(AttackRequest r, SnapshotRef snapshot) {
        return new ShardToAttack(r.jobId(), r.step(), r.shardIndex(), r.epoch(), r.seed(),
                ContractMapping.trainConfig(r), ContractMapping.datasetInfo(r.dataset()), snapshot,
                r.images().floats(), r.images().shape(), r.labels().longs(), r.exampleIds());
    }

    /** The shard's result, in the request's schema version: a trainer that still sends version 1 reads version 1. */
    public static AttackResult result(AttackRequest r, AttackedShard s) {
        Tensor adversarial = s.adversarial() == null ? null : Tensor.ofFloats(s.adversarialShape(), s.adversarial());
        return new AttackResult(r.schemaVersion(), r.jobId(), r.step(), r.epoch(), r.shardIndex(), r.shardCount(),
                r.shardOffset(), r.modelVersion(), s.keptIndices(), s.variation(), adversarial,
                ContractMapping.shardStats(s.stats()), s.workerId(), null);
    }
}
