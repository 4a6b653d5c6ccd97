package org.hamkafka.eval.it;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Topics;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.testsupport.GrafanaQueries;
import org.hamkafka.testsupport.KafkaResource;
import org.hamkafka.testsupport.PostgresResource;
import org.hamkafka.testsupport.S3Resource;
import org.hamkafka.testsupport.TestKafka;
import org.hamkafka.testsupport.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/grafana/ham-kafka.json queries only metrics that the services export: those of eval-service (and the Kafka
 * clients' metrics, which every service has) are read here from this service's /q/metrics after a real evaluation;
 * the trainer's ({@code ham_trainer_*}) from TrainerMetrics in trainer-service's TrainerMetricsTest, the attack
 * workers' ({@code ham_attack_*}) from a real attack in attack-service's AttackServiceKafkaTest. A metric of any other
 * kind has no test to check it, and fails here.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TinyFashionMnist.class)
class GrafanaDashboardTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "ham.s3.endpoint")
    String endpoint;
    @ConfigProperty(name = "ham.s3.access-key")
    String accessKey;
    @ConfigProperty(name = "ham.s3.secret-key")
    String secretKey;
    @ConfigProperty(name = "ham.s3.bucket")
    String bucket;

    @Test
    void everyEvalAndKafkaMetricTheDashboardQueriesIsExported() throws Exception {
        // one real evaluation, so that the timer, the outcome counter and the job's gauge exist
        String job = "grafana-" + UUID.randomUUID();
        byte[] npz = EvalServiceKafkaTest.templateModel(EvalServiceKafkaTest.uniform(1f));
        String key = "jobs/" + job + "/checkpoints/0.npz";
        try (MinioClient c = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build()) {
            c.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(npz), npz.length, -1).build());
        }
        CheckpointAnnouncement a = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, job, 0, key,
                ModelWeights.sha256(npz), "linear", "fashion-mnist", 0.1f, "ham", Instant.now(), List.of("pgd-5"), 50,
                null).signedWith(EvalServiceKafkaTest.trainerKey());
        TestKafka.produce(bootstrap, Topics.CHECKPOINTS, job, Codec.toBytes(a));
        EvalResult published = Codec.fromBytes(TestKafka.await(bootstrap, Topics.EVAL_RESULTS, r -> job.equals(r.key()),
                1, Duration.ofSeconds(90), Duration.ZERO).get(0).value(), EvalResult.class);

        String scrape = given().header("Authorization", TestTokens.viewer()).when().get("/q/metrics").then()
                .statusCode(200).extract().asString();
        Set<String> exported = GrafanaQueries.sampleNames(scrape);
        Set<String> queried = GrafanaQueries.metrics(GrafanaQueries.DASHBOARD);
        assertTrue(queried.size() >= 10, "the dashboard's queries were read: " + queried);

        Set<String> here = queried.stream().filter(m -> m.startsWith("ham_eval_") || m.startsWith("kafka_"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(here);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "the dashboard queries " + missing + ", which eval-service does not export; "
                + "it exports " + exported);
        Set<String> unchecked = queried.stream().filter(m -> !here.contains(m) && !m.startsWith("ham_trainer_")
                        && !m.startsWith("ham_attack_"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(unchecked.isEmpty(), "no test checks that these are exported: " + unchecked);

        // the per-job gauge carries ham_job (not Prometheus' own label job) and the published number
        Matcher gauge = Pattern.compile("(?m)^ham_eval_robust_worst_class_accuracy\\{[^}]*ham_job=\""
                + Pattern.quote(job) + "\"[^}]*} (\\S+)$").matcher(scrape);
        assertTrue(gauge.find(), scrape);
        assertEquals(published.robustAccuracy().worst(), Double.parseDouble(gauge.group(1)), 1e-12);
        assertTrue(!scrape.contains("{job="), "no metric is tagged job");
    }
}
