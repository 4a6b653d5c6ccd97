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
}
