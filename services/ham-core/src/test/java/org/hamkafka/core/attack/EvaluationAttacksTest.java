package org.hamkafka.core.attack;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationAttacksTest {
    @Test
    void namesBuildTheAttacksWithTheReferenceSettings() {
        List<Attack> a = EvaluationAttacks.create(List.of("pgd-20", "cw-10", "fgsm", "apgd-ce", "apgd-t-50",
                "autoattack", "autoattack-fast"), 0.1f, Norm.LINF, 0);
        assertEquals(List.of("pgd-20", "cw-10", "fgsm", "apgd-ce", "apgd-t", "autoattack-standard", "autoattack-fast"),
                a.stream().map(Attack::name).toList());
        // PGD: alpha = eps/4, random start (the reference's evaluation)
        assertEquals(0.025f, (Float) a.get(0).settings().get("alpha"), 1e-7);
        assertEquals(true, a.get(0).settings().get("random_start"));
        assertEquals(100, ((Number) a.get(3).settings().get("iterations")).intValue(), "APGD's default iterations");
        assertEquals(50, ((Number) a.get(4).settings().get("iterations")).intValue());
        assertInstanceOf(AutoAttack.class, a.get(5));
        assertEquals(AutoAttack.STANDARD, ((AutoAttack) a.get(5)).preset());
        assertEquals(AutoAttack.FAST, ((AutoAttack) a.get(6)).preset());
    }

    @Test
    void badNamesAndAbsurdStepsAreRefusedNamingTheGrammar() {
        for (String bad : new String[]{"pgd", "pgd-0", "pgd-1001", "cw--3", "apgd-x", "autoattack-strongest", "", " "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluationAttacks.check(bad),
                    bad);
            assertTrue(e.getMessage().contains("pgd-<steps>") || e.getMessage().contains("steps must be in")
                    || e.getMessage().contains("standard"), e.getMessage());
        }
        EvaluationAttacks.check("PGD-20"); // case does not matter
    }

    /** The bound worked out by hand from the attacks' pass counts, for the standard version and PGD-20. */
    @Test
    void theCostBoundOfAnEvaluationIsItsAttacksPassCountsWorkedOutByHand() {
        assertEquals(41L * 1000, EvaluationAttacks.maxRows(List.of("pgd-20"), 10, 1000), "2·20 + its output's forward");
        // clean 1; APGD-CE 201 + check 1; APGD-T clean 1 + 9·201 + check 1; FAB-T clean 1 + 9·399 + check 1;
        // Square 5000 + 2 + check 1
        long standard = 1 + (201 + 1) + (1 + 9 * 201 + 1) + (1 + 9 * 399 + 1) + (5002 + 1);
        assertEquals(1 + standard, EvaluationAttacks.maxRows(List.of("autoattack-standard"), 10, 1));
        // three classes leave two targets
        assertEquals(1 + 1 + 2 * 201, EvaluationAttacks.maxRows(List.of("apgd-t"), 3, 1));
        assertEquals(2 * 41L, EvaluationAttacks.maxRows(List.of("pgd-20", "pgd-20"), 10, 1), "attacks add up");
    }

    /** What every attack really spends on a small model stays under its bound. */
    @Test
    void noAttackSpendsMoreThanItsBound() {
        ai.djl.ndarray.types.Shape image = new ai.djl.ndarray.types.Shape(1, 4, 4);
        int n = 6;
        for (String name : List.of("pgd-5", "cw-3", "fgsm", "apgd-ce-5", "apgd-t-5", "fab-t-5", "square-20",
                "autoattack-fast")) {
            try (org.hamkafka.core.model.Classifier f = Tiny.linear(Tiny.info(1, 4, 4), 3);
                 ai.djl.ndarray.NDManager m = f.manager().newSubManager()) {
                ai.djl.ndarray.NDArray x = Tiny.uniformImages(m, n, image, 5);
                ai.djl.ndarray.NDArray y = Tiny.predictions(f, x); // every example right at first: nothing skipped
                Attack a = EvaluationAttacks.create(List.of(name), 0.3f, Norm.LINF, 1).get(0);
                a.perturb(f, x, y);
                long spent = a.forwardRows() + a.backwardRows() + n;
                assertTrue(spent <= EvaluationAttacks.maxRows(List.of(name), 4, n),
                        name + " spent " + spent + " rows, over its bound " + EvaluationAttacks.maxRows(List.of(name), 4, n));
                assertTrue(spent > 0, name);
            }
        }
    }
}
