package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HAM's early-dropping PGD against independent paths: plain {@link Pgd} from the same start for K'
 * steps (who is hard), for K steps (their x_K), and for every k (p(x_k), hence v).
 */
class EarlyDropPgdTest {
    static final Shape IMAGE = new Shape(1, 4, 4);
    static final int N = 24;
    static final int K = 6;
    static final int K_DROP = 2;
    static Classifier f;

    @BeforeAll
    static void model() {
        f = Tiny.linear(Tiny.info(1, 4, 3), 21);
    }

    @AfterAll
    static void close() {
        f.close();
    }

    static float eps(Norm norm) {
        return norm == Norm.LINF ? 0.1f : 0.6f;
    }

    static NDArray start(NDManager m, Norm norm) {
        long[] ids = RandomStart.consecutive(0, N);
        return norm == Norm.LINF ? RandomStart.uniform(m, 8, ids, IMAGE, eps(norm))
                : RandomStart.l2Ball(m, 8, ids, IMAGE, eps(norm));
    }

    @ParameterizedTest
    @CsvSource({"LINF,false", "LINF,true", "L2,false", "L2,true"})
    void agreesWithPlainPgdAndRecomputedVariation(Norm norm, boolean onLogits) {
        float eps = eps(norm);
        float alpha = eps / 4;
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 31);
            NDArray y = Tiny.predictions(f, x);   // every example starts correctly classified
            NDArray start = start(m, norm);

            EarlyDropResult r = new EarlyDropPgd(eps, alpha, K, K_DROP, norm, onLogits).attack(f, x, y, start);

            // hard = misclassified after K' plain PGD steps from the same start
            NDArray atDrop = new Pgd(eps, alpha, K_DROP, norm, false, 0).perturb(f, x, y, start);
            long[] pred = Tiny.predictions(f, atDrop).toLongArray();
            long[] labels = y.toLongArray();
            int[] hard = IntStream.range(0, N).filter(i -> pred[i] != labels[i]).toArray();
            assertTrue(hard.length > 0 && hard.length < N, "the setup has both easy and hard examples: " + hard.length);
            assertArrayEquals(hard, r.hardIndices());
            int n = hard.length;

            // x_K of the hard rows = plain PGD for K steps (rows are independent: the gradient of a
            // mean CE w.r.t. one row depends on that row only)
            NDArray full = new Pgd(eps, alpha, K, norm, false, 0).perturb(f, x, y, start);
            NDArray rows = m.create(IntStream.of(hard).asLongStream().toArray());
            assertEquals(new Shape(n).addAll(IMAGE), r.hardAdversarial().getShape());
            assertArrayEquals(full.get(rows).toFloatArray(), r.hardAdversarial().toFloatArray(), 1e-5f);

            // v by hand: keep every p(x_k), k = -1 (clean) .. K
            List<float[]> views = new ArrayList<>();
            views.add(view(f.logits(x, false), onLogits));
            views.add(view(f.logits(x0(x, start, eps, norm), false), onLogits));
            for (int k = 1; k <= K; k++) {
                NDArray xk = new Pgd(eps, alpha, k, norm, false, 0).perturb(f, x, y, start);
                views.add(view(f.logits(xk, false), onLogits));
            }
            int c = 3;
            float[] expected = new float[n];
            for (int h = 0; h < n; h++) {
                int i = hard[h];
                double v = 0;
                for (int k = 1; k < views.size(); k++) {
                    double l1 = 0;
                    for (int j = 0; j < c; j++) {
                        l1 += Math.abs(views.get(k)[i * c + j] - views.get(k - 1)[i * c + j]);
                    }
                    v = Math.max(v, l1);
                }
                expected[h] = (float) v;
            }
            assertArrayEquals(expected, r.variation(), 1e-5f);
            if (!onLogits) {
                for (float v : r.variation()) {
                    assertTrue(v > 0 && v <= 2 + 1e-6, "an L1 distance of probabilities lies in (0, 2]: " + v);
                }
            }

            // the passes the javadoc promises
            long forward = N + (long) N * K_DROP + N + (long) n * (K - K_DROP) + n;
            long backward = (long) N * K_DROP + (long) n * (K - K_DROP);
            assertEquals(forward, r.stats().forwardRows());
            assertEquals(backward, r.stats().backwardRows());
            assertEquals(N, r.stats().examplesIn());
            assertEquals(n, r.stats().examplesKept());
            assertTrue(r.stats().millis() >= 0);
            assertTrue(r.hardAdversarial().getManager() == m, "result belongs to x's manager");
        }
    }

    /**
     * HAM on TRADES: the KL objective is label-free, so labels can be chosen to make exactly the odd rows
     * hard at K' (label = anything but TRADES' K'-step prediction) and the even rows easy; the hard rows'
     * x_K must then be plain TRADES' from the same start.
     */
    @ParameterizedTest
    @CsvSource({"LINF", "L2"})
    void tradesObjectiveDropsTheRowsCorrectAtKPrimeAndFollowsTradesAttack(Norm norm) {
        float eps = eps(norm);
        float alpha = eps / 4;
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 41);
            NDArray start = RandomStart.normal(m, 5, RandomStart.consecutive(0, N), IMAGE, TradesAttack.START_SCALE);
            NDArray anyLabels = Tiny.predictions(f, x);
            NDArray atDrop = new TradesAttack(eps, alpha, K_DROP, norm, 0).perturb(f, x, anyLabels, start);
            long[] pred = Tiny.predictions(f, atDrop).toLongArray();
            long[] labels = new long[N];
            for (int i = 0; i < N; i++) {
                labels[i] = i % 2 == 0 ? pred[i] : (pred[i] + 1) % 3;
            }
            NDArray y = m.create(labels);

            EarlyDropResult r = new EarlyDropPgd(eps, alpha, K, K_DROP, norm, false,
                    EarlyDropPgd.Objective.TRADES_KL).attack(f, x, y, start);

            int[] odd = IntStream.range(0, N).filter(i -> i % 2 == 1).toArray();
            assertArrayEquals(odd, r.hardIndices());
            NDArray full = new TradesAttack(eps, alpha, K, norm, 0).perturb(f, x, y, start);
            NDArray rows = m.create(IntStream.of(odd).asLongStream().toArray());
            assertArrayEquals(full.get(rows).toFloatArray(), r.hardAdversarial().toFloatArray(), 1e-5f);
            // the same passes as with cross-entropy: p(x) for the KL is the clean forward of the k = 0 term
            int n = odd.length;
            assertEquals(N + (long) N * K_DROP + N + (long) n * (K - K_DROP) + n, r.stats().forwardRows());
            assertEquals((long) N * K_DROP + (long) n * (K - K_DROP), r.stats().backwardRows());
            // and the cross-entropy objective, on the same input, is a different attack
            EarlyDropResult ce = new EarlyDropPgd(eps, alpha, K, K_DROP, norm, false).attack(f, x, y, start);
            assertTrue(ce.hardIndices().length != n
                            || !java.util.Arrays.equals(ce.hardAdversarial().toFloatArray(), r.hardAdversarial().toFloatArray()),
                    "the objective changes the attack");
        }
    }

    /**
     * Uniform weights read no v: without measuring it the attack gives the same hard rows and the same x_K, and
     * spends exactly the forwards that fed only v less — the clean batch (N) and x_K of the hard rows (n) with
     * cross-entropy, only the n with TRADES' objective (its KL needs p(x) of the clean batch).
     */
    @ParameterizedTest
    @CsvSource({"CROSS_ENTROPY,LINF", "CROSS_ENTROPY,L2", "TRADES_KL,LINF"})
    void withoutVariationTheSameHardRowsAndExamplesCostTheirFloor(EarlyDropPgd.Objective objective, Norm norm) {
        float eps = eps(norm);
        float alpha = eps / 4;
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 31);
            NDArray y = Tiny.predictions(f, x);
            NDArray start = start(m, norm);
            EarlyDropPgd measuring = new EarlyDropPgd(eps, alpha, K, K_DROP, norm, false, objective);
            EarlyDropResult full = measuring.attack(f, x, y, start);
            EarlyDropResult floor = measuring.withoutVariation().attack(f, x, y, start);
            int n = full.hardIndices().length;
            assertTrue(n > 0, "the setup has hard examples");
            assertArrayEquals(full.hardIndices(), floor.hardIndices());
            assertArrayEquals(full.hardAdversarial().toFloatArray(), floor.hardAdversarial().toFloatArray(), 0f);
            assertArrayEquals(new float[n], floor.variation(), 0f);
            long saved = objective == EarlyDropPgd.Objective.TRADES_KL ? n : N + n;
            assertEquals(full.stats().forwardRows() - saved, floor.stats().forwardRows());
            assertEquals(full.stats().backwardRows(), floor.stats().backwardRows());
        }
    }

    /**
     * When no example is easy at K', nothing is dropped and the attack is plain PGD (or plain TRADES) on the whole
     * batch: the same rows, the same loss over the same batch size, hence the same x_K bit for bit.
     */
    @ParameterizedTest
    @CsvSource({"CROSS_ENTROPY,LINF", "CROSS_ENTROPY,L2", "TRADES_KL,LINF", "TRADES_KL,L2"})
    void withEveryExampleHardAtKPrimeTheAttackIsPlainPgdExactly(EarlyDropPgd.Objective objective, Norm norm) {
        boolean trades = objective == EarlyDropPgd.Objective.TRADES_KL;
        float eps = eps(norm) / 4;
        float alpha = eps / 4;
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 33);
            NDArray start = trades
                    ? RandomStart.normal(m, 5, RandomStart.consecutive(0, N), IMAGE, TradesAttack.START_SCALE)
                    : start(m, norm).div(4);
            // wrong labels: CE ascent keeps a wrong label wrong; TRADES ignores labels, so they are made
            // wrong for its own K'-step point
            NDArray atDrop = trades ? new TradesAttack(eps, alpha, K_DROP, norm, 0).perturb(f, x, m.zeros(new Shape(N),
                    ai.djl.ndarray.types.DataType.INT64), start) : x;
            NDArray y = m.create(java.util.Arrays.stream(Tiny.predictions(f, atDrop).toLongArray())
                    .map(c -> (c + 1) % 3).toArray());
            Attack plain = trades ? new TradesAttack(eps, alpha, K, norm, 0) : new Pgd(eps, alpha, K, norm, false, 0);

            EarlyDropResult r = new EarlyDropPgd(eps, alpha, K, K_DROP, norm, false, objective).attack(f, x, y, start);

            assertArrayEquals(IntStream.range(0, N).toArray(), r.hardIndices(), "every example is hard");
            assertArrayEquals(plain.perturb(f, x, y, start).toFloatArray(), r.hardAdversarial().toFloatArray(), 0f);
            assertEquals(N + (long) N * K_DROP + N + (long) N * (K - K_DROP) + N, r.stats().forwardRows());
            assertEquals((long) N * K, r.stats().backwardRows());
        }
    }

    @Test
    void noStartMeansTheAttackBeginsAtX() {
        float eps = 0.05f;
        try (NDManager m = f.manager().newSubManager()) {
            NDArray x = Tiny.uniformImages(m, N, IMAGE, 32);
            NDArray y = Tiny.predictions(f, x);
            EarlyDropResult r = new EarlyDropPgd(eps, eps / 4, K, K_DROP, Norm.LINF, false).attack(f, x, y, null);
            NDArray full = new Pgd(eps, eps / 4, K, Norm.LINF, false, 0).perturb(f, x, y);
            assertTrue(r.hardCount() > 0, "some example is hard");
            NDArray rows = m.create(IntStream.of(r.hardIndices()).asLongStream().toArray());
            assertArrayEquals(full.get(rows).toFloatArray(), r.hardAdversarial().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void settingsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EarlyDropPgd(0.03f, 0.007f, 10, 10, Norm.LINF, false));
        assertTrue(e.getMessage().startsWith("K' (dropStep) must satisfy 1 <= K' < K = 10 (allowed: 1..9)"), e.getMessage());
        assertTrue(e.getMessage().contains("got K' = 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EarlyDropPgd(0.03f, 0.007f, 10, 0, Norm.LINF, false));
        assertTrue(e.getMessage().contains("K' (dropStep)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EarlyDropPgd(0.03f, 0.007f, 1, 1, Norm.LINF, false));
        assertTrue(e.getMessage().contains("needs K >= 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EarlyDropPgd(-1f, 0.007f, 10, 3, Norm.LINF, false));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EarlyDropPgd(0.03f, -0.007f, 10, 3, Norm.LINF, false));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
    }

    /** x_0 = Π(x + delta0), written out independently of the attack code. */
    static NDArray x0(NDArray x, NDArray start, float eps, Norm norm) {
        float[] xs = x.toFloatArray();
        float[] d = start.toFloatArray();
        int per = (int) IMAGE.size();
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length / per; i++) {
            double scale = 1;
            if (norm == Norm.L2) {
                double l2 = 0;
                for (int j = 0; j < per; j++) {
                    l2 += (double) d[i * per + j] * d[i * per + j];
                }
                scale = Math.min(1, eps / Math.sqrt(l2));
            }
            for (int j = 0; j < per; j++) {
                int k = i * per + j;
                double delta = norm == Norm.LINF ? Math.max(-eps, Math.min(eps, d[k])) : d[k] * scale;
                out[k] = (float) Math.min(1, Math.max(0, xs[k] + delta));
            }
        }
        return x.getManager().create(out, x.getShape());
    }

    static float[] view(NDArray logits, boolean onLogits) {
        return (onLogits ? logits : logits.softmax(1)).toFloatArray();
    }
}
