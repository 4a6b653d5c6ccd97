package org.hamkafka.core.train;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardExampleWeightsTest {

    @Test
    void equalVariationsGiveEqualWeights() {
        assertArrayEquals(new float[]{1, 1}, HardExampleWeights.weights(new float[]{1, 1}, -1, 0), 1e-6f);
        assertArrayEquals(new float[]{1, 1, 1}, HardExampleWeights.weights(new float[]{0.3f, 0.3f, 0.3f}, -1, 0.5f), 1e-6f);
        // Σv = 0: all equal, all ones (no 0/0)
        assertArrayEquals(new float[]{1, 1, 1}, HardExampleWeights.weights(new float[]{0, 0, 0}, -1, 0), 0f);
        assertEquals(0, HardExampleWeights.weights(new float[0], -1, 0).length);
    }

    /**
     * v = [1, 3], λ = -1, b = 0: v̂ = v·2/4 = [0.5, 1.5], m = 1.5, m/2 = 0.75;
     * z = λ + (0.75 - v̂)·5/0.75 = [-1 + 1.6667, -1 - 5] = [0.6667, -6];
     * w = 1 - (tanh z + 1)/2 = [1 - (0.5827829 + 1)/2, 1 - (-0.9999877 + 1)/2] = [0.2086085, 0.9999939];
     * ŵ = w·2/Σw = w·2/1.2086024 = [0.3452062, 1.6547938].
     */
    @Test
    void handWorkedExample() {
        assertArrayEquals(new float[]{0.3452062f, 1.6547938f}, HardExampleWeights.weights(new float[]{1, 3}, -1, 0), 1e-6f);
        double[] w = HardExampleWeights.unnormalized(new float[]{1, 3}, -1, 0);
        assertEquals(0.2086085, w[0], 1e-6);
        assertEquals(0.9999939, w[1], 1e-6);
    }

    @Test
    void meanOneAndIncreasingInV() {
        Random r = new Random(5);
        for (float base : new float[]{0f, 0.1f, 0.5f}) {
            float[] v = new float[50];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextFloat() * 2;
            }
            float[] w = HardExampleWeights.weights(v, -1, base);
            double sum = 0;
            for (float x : w) {
                sum += x;
                assertTrue(x > 0, "weights are positive");
            }
            assertEquals(1.0, sum / w.length, 1e-5);
            for (int i = 0; i < v.length; i++) {
                for (int j = 0; j < v.length; j++) {
                    if (v[i] < v[j]) {
                        assertTrue(w[i] <= w[j], "v " + v[i] + " < " + v[j] + " but w " + w[i] + " > " + w[j]);
                    }
                }
            }
            assertTrue(w[argMax(v)] > w[argMin(v)], "strictly larger at the extremes");
        }
    }

    @Test
    void lambdaMinusOneIsTheClosedForm() {
        float[] v = {0.2f, 0.9f, 1.4f, 0.05f, 2.0f};
        int n = v.length;
        double sumV = 0;
        for (float x : v) {
            sumV += x;
        }
        double m = 0;
        double[] vHat = new double[n];
        for (int i = 0; i < n; i++) {
            vHat[i] = v[i] * n / sumV;
            m = Math.max(m, vHat[i]);
        }
        double[] raw = HardExampleWeights.unnormalized(v, -1, 0);
        double sumW = 0;
        double[] closed = new double[n];
        for (int i = 0; i < n; i++) {
            closed[i] = (1 + Math.tanh(10 * vHat[i] / m - 4)) / 2;
            sumW += closed[i];
            assertEquals(closed[i], raw[i], 1e-12);
        }
        float[] w = HardExampleWeights.weights(v, -1, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(closed[i] * n / sumW, w[i], 1e-6);
        }
    }

    @Test
    void uniformAndValidation() {
        assertArrayEquals(new float[]{1, 1, 1, 1}, HardExampleWeights.uniform(4), 0f);
        assertEquals(0, HardExampleWeights.uniform(0).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HardExampleWeights.uniform(-1));
        assertTrue(e.getMessage().contains("n must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HardExampleWeights.weights(new float[]{1, -2}, -1, 0));
        assertTrue(e.getMessage().contains("variation[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HardExampleWeights.weights(new float[]{1, Float.NaN}, -1, 0));
        assertTrue(e.getMessage().contains("variation[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HardExampleWeights.weights(new float[]{1, 2}, -1, -0.5f));
        assertTrue(e.getMessage().contains("base"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HardExampleWeights.weights(new float[]{1, 2}, Float.NaN, 0));
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
    }

    static int argMax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    static int argMin(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[b]) {
                b = i;
            }
        }
        return b;
    }
}
