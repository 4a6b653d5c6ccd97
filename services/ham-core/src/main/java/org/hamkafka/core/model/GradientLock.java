package org.hamkafka.core.model;

/**
 * DJL's PyTorch engine allows one open GradientCollector per JVM: a second one throws. Code that may open one while
 * another thread could (a trainer's concurrent jobs, the engine check of a model built while another job trains, an
 * attack half run beside a trainer in tests) holds this lock around it.
 */
public final class GradientLock {
    /** Held around every GradientCollector that another thread might open at the same time. */
    public static final Object LOCK = new Object();

    private GradientLock() {
    }
}
