package org.hamkafka.mapping;

import org.hamkafka.contracts.AttackRequest;
import org.hamkafka.contracts.AttackSettings;
import org.hamkafka.contracts.Codec;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.train.SettingPaths;
import org.hamkafka.core.train.TrainConfig;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer → attack worker boundary cannot drop a setting silently (as MapStruct's "unmapped target is an
 * error"): every setting of {@link TrainConfig} is either carried in {@link AttackSettings} and comes back out of
 * the worker's mapping as it went in, or declared the trainer's own.
 */
class ContractMappingBoundaryTest {

    @Test
    void everySettingIsCarriedOrDeclaredTheTrainersOwnAndNoneIsBoth() {
        Set<String> all = SettingPaths.of(TrainConfig.defaults()).keySet();
        Set<String> unclassified = new TreeSet<>(all);
        unclassified.removeAll(ContractMapping.CARRIED_TO_ATTACK);
        unclassified.removeAll(ContractMapping.TRAINER_ONLY);
        assertEquals(Set.of(), unclassified, "settings neither carried to the attack worker nor declared the trainer's");
        Set<String> both = new HashSet<>(ContractMapping.CARRIED_TO_ATTACK);
        both.retainAll(ContractMapping.TRAINER_ONLY);
        assertEquals(Set.of(), both);
        Set<String> stale = new TreeSet<>(ContractMapping.CARRIED_TO_ATTACK);
        stale.addAll(ContractMapping.TRAINER_ONLY);
        stale.removeAll(all);
        assertEquals(Set.of(), stale, "declared settings TrainConfig does not have");
    }

    /**
     * A configuration whose every carried setting differs from the data set's defaults goes through the mapping and
     * JSON, as on the topic, and each carried setting comes back as it was sent (the worker's TrainConfig has the
     * trainer's attack half).
     */
    @Test
    void everyCarriedSettingComesBackAsItWasSent() {
        TrainConfig defaults = TrainConfig.defaults("cifar10");
        TrainConfig sent = defaults.with(p -> {
            p.model = "tiny-cnn";
            p.method = "ham-trades";
            p.dataset = "svhn";
            p.norm = "l2";
            p.eps = 0.5f;
            p.alpha = 0.1f;
            p.steps = 12;
            p.dropStep = 4;
            p.classEps = List.of(0.5f, 0.5f, 0.5f, 0.25f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
            p.weighting = false;
            p.variationOnLogits = true;
            p.tradesBeta = 2f;
            p.fastAlpha = 0.3f;
            p.warmupEpochs = 7;
        });
        Map<String, Object> before = SettingPaths.of(defaults);
        Map<String, Object> want = SettingPaths.of(sent);
        for (String path : ContractMapping.CARRIED_TO_ATTACK) {
            assertNotEquals(before.get(path), want.get(path), path + " must differ from its default for this test");
        }
        AttackSettings wire = ContractMapping.attackSettings(sent);
        String json = Codec.toJson(ContractMappingTest.request(wire, ContractMapping.datasetSpec(Datasets.info("svhn")),
                sent.model()));
        assertTrue(json.contains("\"fgsm_alpha\":0.3"), "Fast-AT's step keeps its version-1 wire name: " + json);
        Map<String, Object> got = SettingPaths.of(ContractMapping.trainConfig(Codec.fromJson(json, AttackRequest.class)));
        for (String path : ContractMapping.CARRIED_TO_ATTACK) {
            assertEquals(want.get(path), got.get(path), path + " lost at the wire");
        }
    }

    /**
     * An frl epoch's request carries the budgets the trainer's rule set: the worker takes them, though a job may not
     * set frl's class_eps, and needs no validation split of its own.
     */
    @Test
    void anFrlEpochsBudgetsReachTheWorker() {
        TrainConfig job = TrainConfig.defaults().with(p -> {
            p.method = "frl";
            p.validationSize = 1000;
        }).validate();
        List<Float> budgets = List.of(0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1015f, 0.1f, 0.1f, 0.098f);
        AttackSettings wire = ContractMapping.attackSettings(job, budgets);
        String json = Codec.toJson(ContractMappingTest.request(wire, ContractMappingTest.fashion()));
        TrainConfig worker = ContractMapping.trainConfig(Codec.fromJson(json, AttackRequest.class));
        assertEquals("frl", worker.method());
        assertEquals(budgets, worker.classWise().eps());
    }

    /** A sender from before the field: weighting absent on the wire, the worker takes tanh weights (the default). */
    @Test
    void anAbsentWeightingMeansWhatWorkersDidBefore() {
        AttackSettings old = new AttackSettings("ham", 0.1f, 0.025f, 10, 3, "linf", true, false, 6f, 0.125f, 0);
        String json = Codec.toJson(ContractMappingTest.request(old, ContractMappingTest.fashion()));
        assertTrue(!json.contains("\"weighting\":true") && !json.contains("\"weighting\":false"), json);
        AttackRequest back = Codec.fromJson(json, AttackRequest.class);
        assertNull(back.settings().weighting());
        assertTrue(ContractMapping.trainConfig(back).ham().weighting());
    }
}
