package org.hamkafka.trainer.job;

import org.hamkafka.service.ObjectStore;
import org.hamkafka.service.Tracing;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobRepository;

/** The application's beans that a running job uses, handed by the job runner to each job's execution. */
public record JobServices(TrainerMessaging messaging, ObjectStore store, TrainerMetrics metrics, TrainingDataCache data,
                   TrainerSettings settings, JobRepository jobs,
                          Tracing tracing) {
}
