package org.hamkafka.trainer.service;

import org.hamkafka.service.ObjectStore;
import org.hamkafka.trainer.messaging.TrainerMessaging;
import org.hamkafka.trainer.persistence.JobRepository;

/** The application's beans that a running job uses, handed from {@link JobRunner} to each {@link JobExecution}. */
record JobServices(TrainerMessaging messaging, ObjectStore store, TrainerMetrics metrics, TrainingDataCache data,
                   TrainerSettings settings, JobRepository jobs) {
}
