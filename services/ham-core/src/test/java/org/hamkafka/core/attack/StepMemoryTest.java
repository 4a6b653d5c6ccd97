package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An attack's memory does not grow with its steps: every step's forward, backward and temporaries are freed when
 * the step ends ({@link PgdStep}). The arrays alive in the attack's sub-manager are counted at every step: flat
 * after the first.
 */
class StepMemoryTest {
    static final Shape IMAGE = new Shape(1, 4, 4);

    /** PGD whose loss also counts the arrays alive in the attack's manager each time a step calls it. */
    static final class CountingPgd extends IterativeAttack {
        final List<Integer> alive = new ArrayList<>();

        CountingPgd(int steps) {
            super(0.1f, 0.025f, steps, Norm.LINF, true, 3);
        }

        @Override
        Function<NDArray, NDArray> loss(Classifier f, NDArray x, NDArray y) {
            NDManager attack = x.getManager();
            return logits -> {
                alive.add(attack.getManagedArrays().size());
                return AttackMath.crossEntropy(logits, y);
            };
        }

        @Override
        public String name() {
            return "counting-pgd-" + steps;
        }
    }

    @Test
    void arraysAliveDuringAnAttackDoNotGrowWithItsSteps() {
        try (Classifier f = Tiny.linear(Tiny.info(1, 4, 3), 5); NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, 16, IMAGE, 9);
            NDArray y = Tiny.predictions(f, x);
            CountingPgd a = new CountingPgd(60);
            NDArray out = a.perturb(f, x, y);
            assertEquals(60, a.alive.size());
            int steady = a.alive.get(1);
            assertTrue(a.alive.stream().skip(1).allMatch(c -> c == steady),
                    "arrays alive per step should stay at " + steady + ": " + a.alive);
            // and the attack is still PGD: the same points as Pgd from the same seed
            NDArray pgd = new Pgd(0.1f, 0.025f, 60, Norm.LINF, true, 3).perturb(f, x, y);
            assertArrayEquals(pgd.toFloatArray(), out.toFloatArray(), 0f);
        }
    }
}
