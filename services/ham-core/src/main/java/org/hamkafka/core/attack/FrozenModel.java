package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.model.Classifier;

/**
 * The frame of one attack call, opened with try-with-resources: f's parameter gradients are switched
 * off, so that the attack's backward passes reach only the input, and a sub-manager of x's manager
 * holds the attack's temporaries. Closing frees them and switches the parameter gradients back on if
 * they were on before. What the attack returns it attaches to x's manager before the frame closes.
 */
final class FrozenModel implements AutoCloseable {
    private final Classifier f;
    private final boolean restore;
    private final NDManager manager;

    FrozenModel(Classifier f, NDArray x) {
        this.f = f;
        this.restore = AttackMath.parametersRequireGradient(f);
        f.requireParameterGradients(false);
        this.manager = x.getManager().newSubManager();
    }

    /** The sub-manager of x's manager that holds the attack's temporaries. */
    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            if (restore) {
                f.requireParameterGradients(true);
            }
        }
    }
}
