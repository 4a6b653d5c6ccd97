package org.hamkafka.core.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LearningRateScheduleTest {
    @Test
    void referenceScheduleFor120EpochsChangesAt60And90And110() {
        LearningRateSchedule s = LearningRateSchedule.piecewise(0.1f, 120);
        assertEquals(0.1f, s.lr(0));
        assertEquals(0.1f, s.lr(59));
        assertEquals(0.01f, s.lr(60), 1e-9f);
        assertEquals(0.01f, s.lr(89), 1e-9f);
        assertEquals(0.001f, s.lr(90), 1e-9f);
        assertEquals(0.001f, s.lr(109), 1e-9f);
        assertEquals(0.0005f, s.lr(110), 1e-9f);
        assertEquals(0.0005f, s.lr(119), 1e-9f);
    }

    @Test
    void boundariesForEpochCountsThatDoNotDivideEvenly() {
        // 10 epochs: 50 % = 5, 75 % = 7.5 -> from 8, 11/12 = 9.17 -> from 10 (never reached)
        LearningRateSchedule s = LearningRateSchedule.piecewise(1f, 10);
        assertEquals(1f, s.lr(4));
        assertEquals(0.1f, s.lr(5), 1e-9f);
        assertEquals(0.1f, s.lr(7), 1e-9f);
        assertEquals(0.01f, s.lr(8), 1e-9f);
        assertEquals(0.01f, s.lr(9), 1e-9f);
        // 12 epochs: 6, 9, 11
        LearningRateSchedule t = LearningRateSchedule.piecewise(1f, 12);
        assertEquals(1f, t.lr(5));
        assertEquals(0.1f, t.lr(6), 1e-9f);
        assertEquals(0.01f, t.lr(9), 1e-9f);
        assertEquals(0.01f, t.lr(10), 1e-9f);
        assertEquals(0.005f, t.lr(11), 1e-9f);
        // a single epoch: 2·0 >= 1 is false, so the base rate
        assertEquals(1f, LearningRateSchedule.piecewise(1f, 1).lr(0));
    }

    @Test
    void rejectsNonPositiveSettings() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.piecewise(0f, 10));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.piecewise(0.1f, 0));
    }
}
