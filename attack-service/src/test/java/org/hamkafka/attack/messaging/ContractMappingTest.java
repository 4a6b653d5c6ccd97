package org.hamkafka.attack.messaging;

import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContractMappingTest {

    static AttackRequest request(AttackSettings s, DatasetSpec spec) {
        int n = 2;
        return new AttackRequest(SchemaVersion.CURRENT, "job", 5, 1, 2, 0, 1, 0, 7, "jobs/job/models/7.npz", "linear",
                spec, s, 42L, new long[]{10, 11},
                Tensor.ofFloats(new long[]{n, 1, 28, 28}, new float[n * 784]), Tensor.ofLongs(new long[]{n}, new long[]{0, 1}));
    }

    static DatasetSpec fashion() {
        return new DatasetSpec("fashion-mnist", 1, 28, 28, 10, null, null, null);
    }

    @Test
    void everySettingOfTheRequestReachesTheTrainConfig() {
        AttackSettings s = new AttackSettings("ham", 0.05f, 0.01f, 7, 2, "l2", true, true, 3f, 0.07f, 4);
        TrainConfig c = ContractMapping.trainConfig(request(s, fashion()));
        assertEquals("ham", c.method());
        assertEquals("linear", c.model());
        assertEquals("fashion-mnist", c.dataset());
        assertEquals(0.05f, c.eps());
        assertEquals(0.01f, c.alpha());
        assertEquals(7, c.steps());
        assertEquals(2, c.dropStep());
        assertEquals("l2", c.norm());
        assertTrue(c.variationOnLogits());
        assertEquals(3f, c.tradesBeta());
        assertEquals(0.07f, c.fastAlpha());
        assertEquals(4, c.warmupEpochs());
    }

    @Test
    void impossibleDropStepIsNamed() {
        AttackSettings s = new AttackSettings("ham", 0.1f, 0.025f, 5, 5, "linf", true, false, 6f, 0.125f, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContractMapping.trainConfig(request(s, fashion())));
        assertTrue(e.getMessage().startsWith("settings: K' (dropStep"), e.getMessage());
    }

    @Test
    void unknownMethodIsNamed() {
        AttackSettings s = new AttackSettings("gairat", 0.1f, 0.025f, 5, 2, "linf", true, false, 6f, 0.125f, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContractMapping.trainConfig(request(s, fashion())));
        assertTrue(e.getMessage().contains("method") && e.getMessage().contains("gairat"), e.getMessage());
    }

    @Test
    void pgdWithoutRandomStartIsRefusedRatherThanSilentlyChanged() {
        AttackSettings s = new AttackSettings("pgd-at", 0.1f, 0.025f, 5, 2, "linf", false, false, 6f, 0.125f, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContractMapping.trainConfig(request(s, fashion())));
        assertTrue(e.getMessage().contains("random_start"), e.getMessage());
    }

    @Test
    void datasetSpecMustAgreeWithHamCoreAndItsNormalizationIsUsed() {
        DatasetInfo info = ContractMapping.datasetInfo(
                new DatasetSpec("fashion-mnist", 1, 28, 28, 10, null, new float[]{0.5f}, new float[]{0.25f}));
        assertArrayEquals(new float[]{0.5f}, info.mean());
        assertArrayEquals(new float[]{0.25f}, info.std());
        assertEquals(10, info.classNames().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContractMapping.datasetInfo(new DatasetSpec("fashion-mnist", 3, 32, 32, 10, null, null, null)));
        assertTrue(e.getMessage().contains("1x28x28") && e.getMessage().contains("3x32x32"), e.getMessage());
    }
}
