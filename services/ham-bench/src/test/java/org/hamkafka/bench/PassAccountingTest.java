package org.hamkafka.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.attack.EarlyDropPgd;
import org.hamkafka.core.attack.EarlyDropResult;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.train.TrainingCost;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassAccountingTest {

    // N = 128, n = 40 hard, K = 10, K' = 3: gradient rows 128·3 + 40·7 = 664
    @Test
    void earlyDropRowsWorkedOutByHand() {
        PassAccounting.Rows r = PassAccounting.earlyDrop(128, 40, 10, 3);
        assertEquals(128 + 664 + 128 + 40, r.attackForward());
        assertEquals(664, r.attackBackward());
        assertEquals(40, r.trainForward());
        assertEquals(40, r.trainBackward());
        assertEquals(960 + 664 + 40 + 80, r.cost(), 0);
    }

    @Test
    void noHardExampleSpendsNoFinalForwardAndNoTraining() {
        PassAccounting.Rows r = PassAccounting.earlyDrop(128, 0, 10, 3);
        assertEquals(128 + 384 + 128, r.attackForward());
        assertEquals(384, r.attackBackward());
        assertEquals(0, r.trainForward() + r.trainBackward());
    }

    @Test
    void referenceSpendsOneExtraForwardPerStepAndTwoAtTheStart() {
        PassAccounting.Rows uniform = PassAccounting.reference(128, 40, 10, 3, false);
        assertEquals(2 * 128 + 664 + 664, uniform.attackForward());
        assertEquals(664, uniform.attackBackward());
        PassAccounting.Rows weighted = PassAccounting.reference(128, 40, 10, 3, true);
        assertEquals(2 * 128 + 664 + 2 * 664, weighted.attackForward());
        assertEquals(2368, uniform.cost(), 0);
        assertEquals(3032, weighted.cost(), 0);
    }

    @Test
    void pgdAtAndTheSavingRatio() {
        PassAccounting.Rows pgd = PassAccounting.pgdAt(128, 10);
        assertEquals(new PassAccounting.Rows(1280, 1280, 128, 128), pgd);
        assertEquals(2944, pgd.cost(), 0);
        assertEquals(1744.0 / 2944.0, PassAccounting.costRatio(PassAccounting.earlyDrop(128, 40, 10, 3), pgd), 1e-12);
        // with every example hard, early-dropping still saves the reference's extra forwards but not PGD-AT's work
        PassAccounting.Rows allHard = PassAccounting.earlyDrop(128, 128, 10, 3);
        assertTrue(allHard.cost() > pgd.cost(), "all hard: two extra forwards over the batch cost more than PGD-AT");
        assertTrue(allHard.cost() < PassAccounting.reference(128, 128, 10, 3, false).cost());
    }

    /** A run's counted rows are costed by the same rule as the formulas (the ham-vs-pgd bench's pass cost). */
    @Test
    void aRunsCountedRowsCostAsTheFormulaForTheSameBatches() {
        // two PGD-AT batches of 128 at K = 10, as TrainingRun counts them
        TrainingCost c = new TrainingCost(1, 9.0, 2560, 2560, 256, 256, 256, 256, 0, 2, null, 8.0, 1.0, null);
        PassAccounting.Rows pgd = PassAccounting.pgdAt(128, 10);
        assertEquals(pgd.plus(pgd), PassAccounting.Rows.of(c));
        assertEquals(2 * 2944.0, HamVsPgdMain.passCost(c), 1e-9); // 1280 + 1280 + 128 + 2·128 per batch
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PassAccounting.earlyDrop(128, 129, 10, 3));
        assertTrue(e.getMessage().contains("hard examples n"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PassAccounting.earlyDrop(128, 5, 10, 10));
        assertTrue(e.getMessage().contains("K'"), e.getMessage());
    }

    /** The formula and EarlyDropPgd's own counters are two paths that must agree on a real attack. */
    @Test
    void formulaAgreesWithEarlyDropPgdStats() {
        DatasetInfo info = Datasets.info("fashion-mnist");
        try (Classifier f = Classifier.create("tiny-cnn", info, Device.cpu(), 3);
             NDManager m = f.manager().newSubManager()) {
            NDArray x = m.randomUniform(0f, 1f, new Shape(16, 1, 28, 28), DataType.FLOAT32);
            // labels = the clean prediction for half the rows and a different class for the rest,
            // so both easy and hard examples are likely
            long[] pred = f.logits(x, false).argMax(1).toLongArray();
            long[] y = new long[16];
            for (int i = 0; i < 16; i++) {
                y[i] = i % 2 == 0 ? pred[i] : (pred[i] + 1) % 10;
            }
            EarlyDropResult r = new EarlyDropPgd(0.1f, 0.025f, 5, 2, Norm.LINF, false)
                    .attack(f, x, m.create(y), null);
            int n = r.hardIndices().length;
            assertEquals(PassAccounting.earlyDrop(16, n, 5, 2), PassAccounting.measured(r.stats()));
        }
    }
}
