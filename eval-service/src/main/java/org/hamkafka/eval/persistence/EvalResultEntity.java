package org.hamkafka.eval.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hamkafka.service.JobIds;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A row of {@code eval_results} (see V1__eval_results.sql). */
@Entity
@Table(name = "eval_results")
public class EvalResultEntity extends PanacheEntityBase {
    public enum Status { EVALUATED, REJECTED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false)
    public String jobId;

    @Column(nullable = false)
    public int epoch;

    @Column(name = "checkpoint_key", nullable = false)
    public String checkpointKey;

    @Column(nullable = false)
    public String sha256;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Status status;

    public String reason;

    @Column(nullable = false)
    public String dataset;

    @Column(nullable = false)
    public String method;

    @Column(nullable = false)
    public String model;

    @Column(nullable = false)
    public float eps;

    public String attack;

    public Integer examples;

    @Column(name = "clean_average")
    public Double cleanAverage;

    @Column(name = "clean_worst")
    public Double cleanWorst;

    @Column(name = "robust_average")
    public Double robustAverage;

    @Column(name = "robust_worst")
    public Double robustWorst;

    @Column(name = "result_json")
    public String resultJson;

    /** The model card (RobustBench's format with a class-wise extension); null for rejected rows. */
    @Column(name = "card_json")
    public String cardJson;

    @Column(nullable = false)
    public boolean published;

    @Column(name = "announced_at")
    public Instant announcedAt;

    @Column(name = "evaluated_at", nullable = false)
    public Instant evaluatedAt;

    public static Optional<EvalResultEntity> findCheckpoint(String checkpointKey, String sha256) {
        return find("checkpointKey = ?1 and sha256 = ?2", checkpointKey, sha256).firstResultOptional();
    }

    /** Every row of a job (evaluated and rejected), by epoch. */
    public static List<EvalResultEntity> ofJob(String jobId) {
        if (!JobIds.plausible(jobId)) {
            return List.of();
        }
        return list("jobId = ?1 order by epoch, evaluatedAt", jobId);
    }

    /** The evaluated row of a job's epoch (the newest if the epoch was evaluated more than once). */
    public static Optional<EvalResultEntity> evaluated(String jobId, int epoch) {
        if (!JobIds.plausible(jobId)) {
            return Optional.empty();
        }
        return find("jobId = ?1 and epoch = ?2 and status = ?3 order by evaluatedAt desc", jobId, epoch,
                Status.EVALUATED).firstResultOptional();
    }

    /** The evaluated row of a job's highest epoch. */
    public static Optional<EvalResultEntity> latestEvaluated(String jobId) {
        if (!JobIds.plausible(jobId)) {
            return Optional.empty();
        }
        return find("jobId = ?1 and status = ?2 order by epoch desc, evaluatedAt desc", jobId, Status.EVALUATED)
                .firstResultOptional();
    }

    /**
     * The evaluated row of every job's highest epoch, newest evaluation first (one row per job: when an epoch
     * was evaluated more than once, the newest).
     */
    public static List<EvalResultEntity> latestOfEveryJob() {
        List<EvalResultEntity> rows = list("from EvalResultEntity e where e.status = ?1 and e.epoch = "
                + "(select max(x.epoch) from EvalResultEntity x where x.jobId = e.jobId and x.status = ?1) "
                + "order by e.evaluatedAt desc", Status.EVALUATED);
        java.util.Set<String> seen = new java.util.HashSet<>();
        return rows.stream().filter(r -> seen.add(r.jobId)).toList();
    }

    /** Per job, how many distinct epochs were evaluated. */
    public static java.util.Map<String, Long> evaluatedEpochsByJob() {
        List<Object[]> counts = getEntityManager().createQuery("select e.jobId, count(distinct e.epoch) from "
                + "EvalResultEntity e where e.status = ?1 group by e.jobId", Object[].class)
                .setParameter(1, Status.EVALUATED).getResultList();
        java.util.Map<String, Long> byJob = new java.util.HashMap<>();
        for (Object[] c : counts) {
            byJob.put((String) c[0], ((Number) c[1]).longValue());
        }
        return byJob;
    }
}
