package org.hamkafka.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainConfigTest {
    static TrainConfig.InvalidSettingsException invalid(TrainConfig c) {
        return assertThrows(TrainConfig.InvalidSettingsException.class, c::validate);
    }

    static String message(TrainConfig c) {
        return invalid(c).getMessage();
    }

    @Test
    void defaultsAreThePapersAndValid() {
        TrainConfig c = TrainConfig.defaults("cifar10").validate();
        assertEquals(8f / 255f, c.threat().eps(), 1e-9f);
        assertEquals(2f / 255f, c.threat().alpha(), 1e-9f);
        assertEquals(10, c.threat().steps());
        assertEquals(3, c.ham().dropStep());
        assertEquals(-1f, c.ham().lambda());
        assertEquals(0f, c.ham().base());
        assertEquals(6f, c.baselines().tradesBeta());
        assertEquals(1.25f * c.threat().eps(), c.baselines().fastAlpha(), 1e-9f);
        assertEquals(128, c.optimisation().batchSize());
        assertEquals(0.9f, c.optimisation().momentum());
        assertEquals(2e-4f, c.optimisation().weightDecay());
        assertEquals(5, TrainConfig.defaults("svhn").ham().dropStep());
        TrainConfig fm = TrainConfig.defaults().validate();
        assertEquals("fashion-mnist", fm.dataset());
        assertEquals(0.1f, fm.threat().eps(), 1e-9f);
        assertEquals(0.025f, fm.threat().alpha(), 1e-9f);
        assertEquals(List.of("pgd-20", "cw-20"), fm.evalAttacks());
    }

    @Test
    void messagesNameTheSettingByItsPublicNameAndTheAllowedRange() {
        TrainConfig d = TrainConfig.defaults();
        var e = invalid(d.with(p -> p.dropStep = 10));
        assertEquals("drop_step", e.field());
        assertTrue(e.getMessage().contains("K'") && e.getMessage().contains("--drop-step")
                && e.getMessage().contains("1..9"), e.getMessage());
        String m = message(d.with(p -> p.eps = -0.1f));
        assertTrue(m.startsWith("eps (--eps)") && m.contains("(0, 1)"), m);
        m = message(d.with(p -> p.eps = 2f));
        assertTrue(m.startsWith("eps (--eps)") && m.contains("got 2.0"), m);
        e = invalid(d.with(p -> p.batchSize = 0));
        assertEquals("batch_size", e.field());
        assertTrue(e.getMessage().contains("--batch-size") && e.getMessage().contains("[1, 65536]"), e.getMessage());
        m = message(d.with(p -> p.method = "gairat"));
        assertTrue(m.contains("method") && m.contains("pgd-at") && m.contains("gairat"), m);
        m = message(d.with(p -> p.model = "resnet50"));
        assertTrue(m.contains("model") && m.contains("smallcnn"), m);
        d.with(p -> p.model = "smallcnn-w0.25").validate();
        m = message(d.with(p -> p.model = "smallcnn-w0"));
        assertTrue(m.contains("--model") && m.contains("(0, 4]"), m);
        m = message(d.with(p -> p.model = "wrn-0-0"));
        assertTrue(m.contains("--model") && m.contains("6n+4"), m);
        m = message(d.with(p -> p.dataset = "imagenet"));
        assertTrue(m.contains("dataset") && m.contains("fashion-mnist") && m.contains("imagenet"), m);
        m = message(d.with(p -> p.momentum = 1f));
        assertTrue(m.contains("momentum") && m.contains("[0, 1)"), m);
        e = invalid(d.with(p -> p.evalAttacks = List.of("pgd-0")));
        assertEquals("eval_attacks", e.field());
        m = message(d.with(p -> p.trainSubset = -5));
        assertTrue(m.contains("--train-subset"), m);
        m = message(d.with(p -> p.shardsPerBatch = 129));
        assertTrue(m.startsWith("shards_per_batch") && m.contains("batch_size = 128"), m);
        m = message(d.with(p -> p.steps = 20000));
        assertTrue(m.startsWith("steps (--steps)") && m.contains("[1, 1000]"), m);
        // K' only matters for HAM
        d.with(p -> {
            p.method = "pgd-at";
            p.dropStep = 10;
        }).validate();
    }

    @Test
    void everyViolationIsReportedNotOnlyTheFirst() {
        var e = invalid(TrainConfig.defaults().with(p -> {
            p.epochs = 0;
            p.lr = -1f;
            p.batchesInFlight = 99;
        }));
        assertEquals(List.of("epochs", "lr", "batches_in_flight"),
                e.violations().stream().map(TrainConfig.Violation::field).toList());
    }

    @Test
    void everyNameAValidationReportsIsAFieldOfThePartialForm() {
        var names = PartialConfig.fields().stream().map(f -> PartialConfig.publicName(f.getName())).toList();
        TrainConfig bad = TrainConfig.defaults().with(p -> {
            p.dataset = "x";
            p.trainSubset = -1;
            p.testSubset = -1;
            p.model = "x";
            p.method = "x";
            p.norm = "x";
            p.eps = -1f;
            p.alpha = -1f;
            p.steps = 0;
            p.lambda = Float.NaN;
            p.base = -1f;
            p.warmupEpochs = -1;
            p.tradesBeta = -1f;
            p.fastAlpha = -1f;
            p.epochs = 0;
            p.batchSize = 0;
            p.lr = 0f;
            p.momentum = 2f;
            p.weightDecay = -1f;
            p.evalAttacks = List.of("x");
            p.shardsPerBatch = 0;
            p.batchesInFlight = 0;
            p.device = "tpu";
        });
        var e = invalid(bad);
        assertTrue(e.violations().size() >= 22, e.getMessage());
        for (var v : e.violations()) {
            assertTrue(names.contains(v.field()), v.field() + " is not a setting's public name");
            assertTrue(v.message().startsWith(v.field() + " (--" + v.field().replace('_', '-') + ")"), v.message());
        }
    }

    @Test
    void thePartialFormMergesOntoTheDataSetsDefaultsAndAlphaFollowsEps() {
        PartialConfig p = new PartialConfig();
        p.dataset = "cifar10";
        p.eps = 16f / 255f;
        TrainConfig c = p.resolve();
        assertEquals(4f / 255f, c.threat().alpha(), 1e-9f, "alpha = eps/4 when not given");
        assertEquals(1.25f * 16f / 255f, c.baselines().fastAlpha(), 1e-9f);
        assertEquals("preact-resnet18", c.model());
        p.alpha = 0.01f;
        assertEquals(0.01f, p.resolve().threat().alpha());
        // with(): a field set back to null takes its default again
        TrainConfig fm = TrainConfig.defaults().with(q -> {
            q.eps = 0.2f;
            q.alpha = null;
        });
        assertEquals(0.05f, fm.threat().alpha(), 1e-9f);
        // filled in and resolved again: the same configuration
        assertEquals(c, PartialConfig.of(c).resolve());
    }

    @Test
    void jsonNamesAreSnakeCaseAndTheRuntimeIsNotAJobSetting() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String s = json.writeValueAsString(PartialConfig.of(TrainConfig.defaults().with(p -> p.dataDir = "/data")));
        assertTrue(s.contains("\"drop_step\":3") && s.contains("\"shards_per_batch\":1"), s);
        assertFalse(s.contains("data_dir") || s.contains("dataDir") || s.contains("device"), s);
        PartialConfig back = json.readValue("{\"drop_step\":4,\"eval_attacks\":[\"pgd-10\"]}", PartialConfig.class);
        assertEquals(4, back.dropStep);
        assertEquals(List.of("pgd-10"), back.evalAttacks);
        assertNull(back.eps);
        assertEquals("--variation-on-logits", PartialConfig.option("variationOnLogits"));
    }
}
