package org.hamkafka.core.train;

import java.util.Arrays;

/**
 * Where a {@link FairnessRule} stands: its multipliers (FRL's λ, WAT's summed validation losses) and the epoch whose
 * start computed them ({@code -1}: not yet updated). A resume state keeps it ({@link StateArchive}), so that a
 * resumed run trains its epoch with the class weights and budgets it began with.
 */
public record FairnessState(int epoch, double[] values) {
    public FairnessState {
        values = values.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    double value(int i) {
        return values[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FairnessState s && s.epoch == epoch && Arrays.equals(s.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * epoch + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FairnessState[epoch=" + epoch + ", values=" + Arrays.toString(values) + "]";
    }
}
