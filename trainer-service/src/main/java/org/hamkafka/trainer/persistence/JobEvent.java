package org.hamkafka.trainer.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.List;

/** One thing that happened to a job: state change, checkpoint, resume, error. */
@Entity
@Table(name = "job_event")
public class JobEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false, length = 36)
    public String jobId;

    @Column(nullable = false)
    public OffsetDateTime at;

    @Column(nullable = false, length = 32)
    public String kind;

    @Column(columnDefinition = "text")
    public String message;

    public static JobEvent record(String jobId, String kind, String message) {
        JobEvent e = new JobEvent();
        e.jobId = jobId;
        e.at = OffsetDateTime.now();
        e.kind = kind;
        e.message = message;
        e.persist();
        return e;
    }

    public static List<JobEvent> of(String jobId) {
        return list("jobId = ?1 order by id", jobId);
    }
}
