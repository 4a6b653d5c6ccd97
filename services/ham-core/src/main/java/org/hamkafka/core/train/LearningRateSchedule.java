package org.hamkafka.core.train;

/** The learning rate of each (0-based) epoch. */
@FunctionalInterface
public interface LearningRateSchedule {
    float lr(int epoch);

    /**
     * The reference schedule: {@code base} for the first half of the epochs, ÷10 from 50 %, ÷100 from
     * 75 %, ÷200 from 11/12 (for 120 epochs: epochs 0–59, 60–89, 90–109, 110–119). Boundaries are
     * compared in integers, so no rounding moves them.
     */
    static LearningRateSchedule piecewise(float base, int epochs) {
        if (!(base > 0) || Float.isInfinite(base)) {
            throw new IllegalArgumentException("base learning rate must be > 0; got " + base);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be >= 1; got " + epochs);
        }
        return epoch -> {
            if (epoch < 0) {
                throw new IllegalArgumentException("epoch must be >= 0; got " + epoch);
            }
            long e = epoch;
            if (12 * e >= 11L * epochs) {
                return base / 200f;
            }
            if (4 * e >= 3L * epochs) {
                return base / 100f;
            }
            if (2 * e >= epochs) {
                return base / 10f;
            }
            return base;
        };
    }

    static LearningRateSchedule constant(float lr) {
        return epoch -> lr;
    }
}
