package org.hamkafka.eval.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.flywaydb.core.Flyway;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.ModelCard;
import org.hamkafka.eval.persistence.EvalResultEntity;
import org.hamkafka.eval.service.CheckpointEvaluator;
import org.hamkafka.infra.EmbeddedPostgres;
import org.hamkafka.testsupport.SharedInfra;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rows a database kept from before {@code autoattack-standard} ran all four attacks (when it named AutoAttack's APGD
 * part alone) are served as the APGD part's once the service's migrations ran: the attack column, the result and
 * the model card. Today's four-attack rows keep the name. A real PostgreSQL (the JVM's shared test server, in a
 * schema of this test's own), migrated by the service's own Flyway scripts: up to version 2, the rows written as the
 * service wrote them, then to the latest.
 */
class StoredBeforeFourAttacksTest {
    private static final List<String> CLASSES = List.of("a", "b");

    /** One AutoAttack run named {@code name}: the APGD part's settings (no Square) or the four attacks'. */
    private static ClassWiseReport autoAttackOnly(String name, boolean four) {
        Map<String, long[][]> robust = new LinkedHashMap<>();
        robust.put(name + ":apgd-ce", new long[][]{{6, 4}, {5, 5}});
        robust.put(name, new long[][]{{5, 5}, {3, 7}});
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("preset", "standard");
        settings.put("norm", name.endsWith("-l2") ? "L2" : "LINF");
        settings.put("eps", 0.1);
        settings.put("targets", 9);
        if (four) {
            settings.put("fab_targets", 9);
            settings.put("square_queries", 5000);
        }
        List<String> stages = four ? List.of("apgd-ce", "apgd-t", "fab-t", "square") : List.of("apgd-ce", "apgd-t");
        return new ClassWiseReport(CLASSES, new long[][]{{9, 1}, {2, 8}}, robust,
                Map.of(name, new ClassWiseReport.AttackInfo(settings, stages, 900, 880, 3.0)));
    }

    @Test
    void rowsFromBeforeTheFourAttacksNameTheApgdPartAndTodaysKeepTheStandardName() throws Exception {
        EmbeddedPostgres pg = SharedInfra.postgres();
        String schema = "before_four_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        org.flywaydb.core.api.configuration.FluentConfiguration flyway = Flyway.configure()
                .dataSource(pg.jdbcUrl(), pg.username(), pg.password()).schemas(schema);
        flyway.target("2").load().migrate();

        String job = "job-" + schema;
        List<String> written = List.of("autoattack-standard", "autoattack-standard-l2", "autoattack-standard");
        boolean[] four = {false, false, true};
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password())) {
            for (int epoch = 0; epoch < written.size(); epoch++) {
                String name = written.get(epoch);
                ClassWiseReport report = autoAttackOnly(name, four[epoch]);
                CheckpointAnnouncement a = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, job, epoch,
                        "jobs/" + job + "/checkpoints/epoch-" + (epoch + 1) + ".npz", "ab".repeat(32), "linear",
                        "fashion-mnist", 0.1f, "ham", Instant.parse("2026-12-01T00:00:00Z"));
                EvalResult result = CheckpointEvaluator.toResult(a, "fashion-mnist", 0.1f,
                        name.endsWith("-l2") ? Norm.L2 : Norm.LINF, report);
                assertEquals(name, result.attack(), "written under the name it had");
                // the card the service wrote then: autoattack_acc from its autoattack-standard, whatever that ran
                String card = ModelCard.of(new ModelCard.Subject(job + "/epoch-" + (epoch + 1), "fashion-mnist",
                        "linear", "ham", name.endsWith("-l2") ? "L2" : "LINF", 0.1f), report).toJson();
                assertTrue(card.contains("\"autoattack_acc\""), card);
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + schema + ".eval_results (job_id, "
                        + "epoch, checkpoint_key, sha256, status, dataset, method, model, eps, attack, examples, "
                        + "clean_average, clean_worst, robust_average, robust_worst, result_json, card_json, "
                        + "published, evaluated_at) VALUES (?, ?, ?, ?, 'EVALUATED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, TRUE, ?)")) {
                    insert.setString(1, job);
                    insert.setInt(2, epoch);
                    insert.setString(3, a.objectKey());
                    insert.setString(4, a.sha256());
                    insert.setString(5, "fashion-mnist");
                    insert.setString(6, "ham");
                    insert.setString(7, "linear");
                    insert.setFloat(8, 0.1f);
                    insert.setString(9, result.attack());
                    insert.setInt(10, 20);
                    insert.setDouble(11, result.cleanAccuracy().average());
                    insert.setDouble(12, result.cleanAccuracy().worst());
                    insert.setDouble(13, result.robustAccuracy().average());
                    insert.setDouble(14, result.robustAccuracy().worst());
                    insert.setString(15, Codec.toJson(result));
                    insert.setString(16, card);
                    insert.setTimestamp(17, Timestamp.from(result.evaluatedAt()));
                    insert.executeUpdate();
                }
            }
        }

        flyway.target("latest").load().migrate();

        List<EvalResultEntity> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             PreparedStatement q = c.prepareStatement("SELECT epoch, checkpoint_key, attack, robust_average, "
                     + "result_json, card_json FROM " + schema + ".eval_results WHERE job_id = ? ORDER BY epoch")) {
            q.setString(1, job);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    EvalResultEntity r = new EvalResultEntity();
                    r.jobId = job;
                    r.epoch = rs.getInt(1);
                    r.checkpointKey = rs.getString(2);
                    r.status = EvalResultEntity.Status.EVALUATED;
                    r.attack = rs.getString(3);
                    r.robustAverage = rs.getDouble(4);
                    r.resultJson = rs.getString(5);
                    r.cardJson = rs.getString(6);
                    rows.add(r);
                }
            }
        }
        assertEquals(List.of("autoattack-apgd", "autoattack-apgd-l2", "autoattack-standard"),
                rows.stream().map(r -> r.attack).toList(), "the attack column after the migration");

        for (EvalResultEntity r : rows.subList(0, 2)) {
            String apgd = r.attack;
            JsonNode result = ResultsResource.view(r).result();
            assertEquals(apgd, result.get("attack").asText());
            assertEquals(List.of(apgd + ":apgd-ce", apgd), fieldNames(result.get("robust_by_attack")));
            assertEquals("apgd", result.get("attacks").get(apgd).get("settings").get("preset").asText());
            // (0.5 + 0.7) / 2: the numbers are kept, only the name changes
            assertEquals(0.6, result.get("robust_accuracy").get("average").asDouble(), 1e-12);
            JsonNode card = ResultsResource.card(r);
            assertTrue(card.get("autoattack_acc") == null || card.get("autoattack_acc").isNull(), card.toString());
            assertTrue(card.get("footnote").asText().startsWith("autoattack_acc is null: " + apgd + " ran"),
                    card.get("footnote").asText());
            assertFalse(card.toString().replace(card.get("footnote").toString(), "").contains("autoattack-standard"),
                    "only the footnote names the old meaning: " + card);
        }
        EvalResultEntity today = rows.get(2);
        assertEquals("autoattack-standard", ResultsResource.view(today).result().get("attack").asText());
        assertEquals("60.00", ResultsResource.card(today).get("autoattack_acc").asText());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
