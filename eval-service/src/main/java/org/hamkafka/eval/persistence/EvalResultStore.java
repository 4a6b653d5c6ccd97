package org.hamkafka.eval.persistence;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.eval.persistence.EvalResultEntity.Status;

import java.time.Instant;
import java.util.Optional;

/**
 * Stores results idempotently: one row per (checkpoint key, sha256). An evaluated row is final; a
 * rejected one is replaced when the same checkpoint is announced again and then passes (the object may
 * have been repaired). Each method is its own transaction, so a lost race on the unique key is seen
 * here and reported as "already there", never as a failure.
 */
@ApplicationScoped
public class EvalResultStore {

    public Optional<EvalResultEntity> find(String checkpointKey, String sha256) {
        return QuarkusTransaction.requiringNew().call(() -> EvalResultEntity.findCheckpoint(checkpointKey, sha256)
                .map(EvalResultStore::detachedCopy));
    }

    /**
     * Stores an evaluated checkpoint, unpublished.
     *
     * @return the stored row, or empty when an evaluated row for this checkpoint exists already
     */
    public Optional<EvalResultEntity> storeEvaluated(CheckpointAnnouncement a, EvalResult result, int examples,
                                                     String cardJson) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                EvalResultEntity row = EvalResultEntity.findCheckpoint(a.objectKey(), a.sha256()).orElse(null);
                if (row != null && row.status == Status.EVALUATED) {
                    return Optional.<EvalResultEntity>empty();
                }
                if (row == null) {
                    row = newRow(a);
                }
                row.status = Status.EVALUATED;
                row.reason = null;
                row.attack = result.attack();
                row.examples = examples;
                row.cleanAverage = result.cleanAccuracy().average();
                row.cleanWorst = result.cleanAccuracy().worst();
                row.robustAverage = result.robustAccuracy().average();
                row.robustWorst = result.robustAccuracy().worst();
                row.resultJson = Codec.toJson(result);
                row.cardJson = cardJson;
                row.published = false;
                row.evaluatedAt = result.evaluatedAt();
                row.persistAndFlush();
                return Optional.of(detachedCopy(row));
            });
        } catch (RuntimeException e) { // PersistenceException, possibly wrapped by the transaction
            // another instance inserted the same checkpoint between our read and our insert
            if (find(a.objectKey(), a.sha256()).map(r -> r.status == Status.EVALUATED).orElse(false)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Stores (or refreshes) a rejected checkpoint with the reason; an evaluated row is left alone. */
    public void storeRejected(CheckpointAnnouncement a, String reason) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                EvalResultEntity row = EvalResultEntity.findCheckpoint(a.objectKey(), a.sha256()).orElse(null);
                if (row != null && row.status == Status.EVALUATED) {
                    return;
                }
                if (row == null) {
                    row = newRow(a);
                }
                row.status = Status.REJECTED;
                row.reason = reason;
                row.evaluatedAt = Instant.now();
                row.persistAndFlush();
            });
        } catch (RuntimeException e) { // PersistenceException, possibly wrapped by the transaction
            if (find(a.objectKey(), a.sha256()).isEmpty()) {
                throw e;
            }
        }
    }

    public void markPublished(long id) {
        QuarkusTransaction.requiringNew().run(() -> {
            EvalResultEntity row = EvalResultEntity.findById(id);
            if (row != null) {
                row.published = true;
            }
        });
    }

    private static EvalResultEntity newRow(CheckpointAnnouncement a) {
        EvalResultEntity row = new EvalResultEntity();
        row.jobId = a.jobId();
        row.epoch = a.epoch();
        row.checkpointKey = a.objectKey();
        row.sha256 = a.sha256();
        row.dataset = a.dataset();
        row.method = a.method();
        row.model = a.arch();
        row.eps = a.eps();
        row.announcedAt = a.createdAt();
        return row;
    }

    /** A copy that is safe to read outside the transaction. */
    static EvalResultEntity detachedCopy(EvalResultEntity r) {
        EvalResultEntity c = new EvalResultEntity();
        c.id = r.id;
        c.jobId = r.jobId;
        c.epoch = r.epoch;
        c.checkpointKey = r.checkpointKey;
        c.sha256 = r.sha256;
        c.status = r.status;
        c.reason = r.reason;
        c.dataset = r.dataset;
        c.method = r.method;
        c.model = r.model;
        c.eps = r.eps;
        c.attack = r.attack;
        c.examples = r.examples;
        c.cleanAverage = r.cleanAverage;
        c.cleanWorst = r.cleanWorst;
        c.robustAverage = r.robustAverage;
        c.robustWorst = r.robustWorst;
        c.resultJson = r.resultJson;
        c.cardJson = r.cardJson;
        c.published = r.published;
        c.announcedAt = r.announcedAt;
        c.evaluatedAt = r.evaluatedAt;
        return c;
    }
}
