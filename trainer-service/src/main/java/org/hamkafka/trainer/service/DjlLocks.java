package org.hamkafka.trainer.service;

/**
 * DJL's PyTorch engine allows one open GradientCollector per JVM, so two jobs' training halves
 * (or an attack half in the same JVM, as in the tests) must not run at once.
 */
public final class DjlLocks {
    /** Held around every training half (and every attack half run in this JVM). */
    public static final Object GRADIENTS = new Object();

    private DjlLocks() {
    }
}
