package org.hamkafka.core.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainConfigTest {
    static String message(TrainConfig c) {
        return assertThrows(IllegalArgumentException.class, c::validate).getMessage();
    }

    @Test
    void defaultsAreThePapersAndValid() {
        TrainConfig c = TrainConfig.defaults("cifar10").validate();
        assertEquals(8f / 255f, c.eps(), 1e-9f);
        assertEquals(2f / 255f, c.alpha(), 1e-9f);
        assertEquals(10, c.steps());
        assertEquals(3, c.dropStep());
        assertEquals(-1f, c.lambda());
        assertEquals(0f, c.base());
        assertEquals(6f, c.tradesBeta());
        assertEquals(1.25f * c.eps(), c.fastAlpha(), 1e-9f);
        assertEquals(128, c.batchSize());
        assertEquals(0.9f, c.momentum());
        assertEquals(2e-4f, c.weightDecay());
        assertEquals(5, TrainConfig.defaults("svhn").dropStep());
        TrainConfig fm = TrainConfig.defaults().validate();
        assertEquals("fashion-mnist", fm.dataset());
        assertEquals(0.1f, fm.eps(), 1e-9f);
        assertEquals(0.025f, fm.alpha(), 1e-9f);
        assertEquals(List.of("pgd-20", "cw-20"), fm.evalAttacks());
    }

    @Test
    void messagesNameTheSettingAndTheAllowedRange() {
        TrainConfig d = TrainConfig.defaults();
        String m = message(d.toBuilder().dropStep(10).build());
        assertTrue(m.contains("K'") && m.contains("--drop-step") && m.contains("1..9"), m);
        m = message(d.toBuilder().eps(-0.1f).build());
        assertTrue(m.contains("eps") && m.contains("> 0"), m);
        m = message(d.toBuilder().batchSize(0).build());
        assertTrue(m.contains("--batch-size") && m.contains(">= 1"), m);
        m = message(d.toBuilder().method("gairat").build());
        assertTrue(m.contains("method") && m.contains("pgd-at") && m.contains("gairat"), m);
        m = message(d.toBuilder().model("resnet50").build());
        assertTrue(m.contains("model") && m.contains("smallcnn"), m);
        d.toBuilder().model("smallcnn-w0.25").build().validate();
        m = message(d.toBuilder().model("smallcnn-w0").build());
        assertTrue(m.contains("--model") && m.contains("(0, 4]"), m);
        m = message(d.toBuilder().dataset("imagenet").build());
        assertTrue(m.contains("dataset") && m.contains("fashion-mnist") && m.contains("imagenet"), m);
        m = message(d.toBuilder().momentum(1f).build());
        assertTrue(m.contains("momentum") && m.contains("[0, 1)"), m);
        m = message(d.toBuilder().evalAttacks(List.of("pgd-0")).build());
        assertTrue(m.contains("--eval-attacks"), m);
        m = message(d.toBuilder().trainSubset(-5).build());
        assertTrue(m.contains("--train-subset"), m);
        // K' only matters for HAM
        d.toBuilder().method("pgd-at").dropStep(10).build().validate();
    }
}
