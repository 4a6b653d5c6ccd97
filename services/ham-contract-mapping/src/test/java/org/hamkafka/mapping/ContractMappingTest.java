package org.hamkafka.mapping;

import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.DatasetSpec;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.contracts.ShardStats;
import org.hamkafka.core.attack.AttackStats;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContractMappingTest {

    static AttackRequest request(AttackSettings s, DatasetSpec spec) {
        return request(s, spec, "linear");
    }

    static AttackRequest request(AttackSettings s, DatasetSpec spec, String arch) {
        int n = 2;
        return new AttackRequest(SchemaVersion.CURRENT, "job", 5, 1, 2, 0, 1, 0, 7, "jobs/job/models/7.npz", arch,
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
        assertEquals(0.05f, c.threat().eps());
        assertEquals(0.01f, c.threat().alpha());
        assertEquals(7, c.threat().steps());
        assertEquals(2, c.ham().dropStep());
        assertEquals("l2", c.threat().norm());
        assertTrue(c.ham().variationOnLogits());
        assertEquals(3f, c.baselines().tradesBeta());
        assertEquals(0.07f, c.baselines().fastAlpha());
        assertEquals(4, c.ham().warmupEpochs());
        assertEquals(null, c.classWise().eps(), "absent: eps for every class");
        AttackSettings withBudgets = new AttackSettings("ham", 0.05f, 0.01f, 7, 2, "l2", true, true, 3f, 0.07f, 4,
                true, java.util.Collections.nCopies(10, 0.02f));
        assertEquals(java.util.Collections.nCopies(10, 0.02f),
                ContractMapping.trainConfig(request(withBudgets, fashion())).classWise().eps());
    }

    @Test
    void impossibleDropStepIsNamed() {
        AttackSettings s = new AttackSettings("ham", 0.1f, 0.025f, 5, 5, "linf", true, false, 6f, 0.125f, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContractMapping.trainConfig(request(s, fashion())));
        assertTrue(e.getMessage().startsWith("settings: drop_step (--drop-step) must satisfy 1 <= K' < K = 5"),
                e.getMessage());
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

    @Test
    void aDataSetOfOnesOwnIsDescribedByTheRequestWithinBounds() {
        DatasetInfo own = new DatasetInfo("idx:squares", 1, 12, 9, List.of("a", "b", "c"), new float[]{0.5f},
                new float[]{0.5f});
        DatasetInfo back = ContractMapping.datasetInfo(ContractMapping.datasetSpec(own));
        assertEquals("idx:squares", back.name());
        assertEquals(12, back.height());
        assertEquals(9, back.width());
        assertEquals(own.classNames(), back.classNames());
        // what a worker could not hold, or a description with parts missing, is refused with the field named
        String[][] refused = {
                {"width", "height and width must be in [1, 512]"},
                {"classes", "num_classes must be in [2, 1000]"},
                {"names", "carries its 3 class_names"},
                {"std", "carries mean and std"},
                {"channels", "channels must be 1 or 3"}};
        DatasetSpec[] specs = {
                new DatasetSpec("idx:squares", 1, 12, 100_000, 3, own.classNames(), own.mean(), own.std()),
                new DatasetSpec("idx:squares", 1, 12, 9, 5000, null, own.mean(), own.std()),
                new DatasetSpec("idx:squares", 1, 12, 9, 3, null, own.mean(), own.std()),
                new DatasetSpec("idx:squares", 1, 12, 9, 3, own.classNames(), own.mean(), null),
                new DatasetSpec("image-folder:pets", 4, 32, 32, 3, own.classNames(), new float[4], new float[4])};
        for (int i = 0; i < specs.length; i++) {
            DatasetSpec spec = specs[i];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ContractMapping.datasetInfo(spec), refused[i][0]);
            assertTrue(e.getMessage().contains(refused[i][1]), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ContractMapping.datasetInfo(
                new DatasetSpec("idx:../etc", 1, 12, 9, 3, own.classNames(), own.mean(), own.std())), "a path as name");
    }

    @Test
    void dataSetDescriptionAndCostsRoundTrip() {
        DatasetInfo info = Datasets.info("cifar10");
        DatasetInfo back = ContractMapping.datasetInfo(ContractMapping.datasetSpec(info));
        assertEquals(info.classNames(), back.classNames());
        assertArrayEquals(info.mean(), back.mean());
        assertArrayEquals(info.std(), back.std());
        AttackStats s = new AttackStats(8, 3, 80, 70, 12.5);
        ShardStats wire = ContractMapping.shardStats(s);
        assertEquals(s, ContractMapping.attackStats(wire));
    }

    @Test
    void fairnessAggregatesAreHamCoresWorkedOutByHand() {
        var classes = java.util.List.of("t-shirt", "trouser", "pullover");
        var robust = ContractMapping.classAccuracy(classes, new double[]{0.5, 0.2, 0.4});
        // mean 11/30, worst 0.2 (trouser), best 0.5, population std
        assertEquals(11 / 30.0, robust.average(), 1e-12);
        assertEquals(0.2, robust.worst(), 1e-12);
        assertEquals(0.5, robust.best(), 1e-12);
        double std = Math.sqrt((Math.pow(0.5 - 11 / 30.0, 2) + Math.pow(0.2 - 11 / 30.0, 2)
                + Math.pow(0.4 - 11 / 30.0, 2)) / 3);
        assertEquals(std, robust.std(), 1e-12);
        assertEquals(std / (11 / 30.0), robust.nstd(), 1e-12);
        assertEquals("trouser", robust.worstClass());
        // every class at 0: no spread, nstd 0 (in reports and on ham.eval.results alike)
        assertEquals(0.0, ContractMapping.classAccuracy(classes, new double[]{0, 0, 0}).nstd());
    }
}
