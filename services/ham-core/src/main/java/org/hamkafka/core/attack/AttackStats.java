package org.hamkafka.core.attack;

/**
 * What one attack call cost, so that savings are measured, not assumed. Passes are counted in
 * batch-rows: a forward pass over 128 examples counts 128.
 */
public record AttackStats(int examplesIn, int examplesKept, long forwardRows, long backwardRows, double millis) {

    public AttackStats plus(AttackStats o) {
        return new AttackStats(examplesIn + o.examplesIn, examplesKept + o.examplesKept,
                forwardRows + o.forwardRows, backwardRows + o.backwardRows, millis + o.millis);
    }

    public static AttackStats zero() {
        return new AttackStats(0, 0, 0, 0, 0);
    }
}
