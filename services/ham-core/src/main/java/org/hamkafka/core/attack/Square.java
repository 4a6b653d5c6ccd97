package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Square Attack, untargeted, one restart, on the margin loss {@code L = z_y − max_{i≠y} z_i}: a
 * random search that queries f only (no gradient), so gradient masking does not stop it. Per example:
 * <pre>
 * x̂ = start                 L∞: clip(x + eps·σ, 0, 1), σ = ±1 per (channel, column) (vertical stripes)
 *                            L2: ±η(s) blocks tiled over a 5×5 grid, s = ⌊H/5⌋, scaled to ||δ||2 = eps
 * for i = 0..N−1, while f(x̂) = y:
 *   p = p_init / 2^k        k = number of {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000} below ⌊i/N·10000⌋
 *   s = round(√(p·H·W))     side of the square (L∞ at least 1; L2 at least 3 and odd), at most min(H, W)
 *   x' = x̂ with a random s×s window changed: L∞ to clip(x ± eps) (one sign per channel);
 *        L2 its δ moved into the window (η(s) ± old window, a second window emptied), δ rescaled to eps
 *   x̂ = x' if L(x') &lt; L(x̂) or f(x') ≠ y
 * </pre>
 * η(s) is the paper's L2 update, two stacked rectangles of opposite sign whose entries fall off as
 * 1/k² from their centres, unit norm, transposed with probability 1/2. Windows lie at rows
 * {0..H−s−1} (0 when s = H), as in the reference. The schedule is the reference's, rescaled to N
 * queries from a base of 10 000; {@link #QUERIES} and {@link #P_INIT} are AutoAttack's standard values.
 *
 * <p>Passes ({@link #forwardRows()}; no backward): a call over n examples costs n forward rows at the
 * clean points (an example f already misclassifies is returned as it is), one at the start for each
 * of the m others, then one per query for each example not yet misclassified: at most n + m·(1 + N).
 *
 * <p>Randomness: each example draws its start, windows and signs from its own generator, seeded by
 * (seed, call, its row in the batch), so its search does not depend on which other examples are
 * still being attacked (the reference shares one window per query across the batch). The
 * {@code start} argument is not used: the start is part of the algorithm. Two calls draw differently
 * (per-call counter, as {@link Apgd}). Needs images (N,C,H,W); L2 needs H, W &ge; 5.
 *
 * <p>Paper:
 * Maksym Andriushchenko, Francesco Croce, Nicolas Flammarion and Matthias Hein, "Square Attack: a
 * query-efficient black-box adversarial attack via random search", ECCV 2020.
 */
public final class Square implements Attack {
    /** AutoAttack's standard number of queries per example. */
    public static final int QUERIES = 5000;
    /** AutoAttack's initial fraction of pixels a square covers. */
    public static final double P_INIT = 0.8;
    private static final int[] HALVINGS = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
    private static final int SCHEDULE_BASE = 10000;

    private final float eps;
    private final Norm norm;
    private final int queries;
    private final double pInit;
    private final long seed;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong forwardRows = new AtomicLong();

    public Square(float eps, Norm norm, int queries, long seed) {
        this(eps, norm, queries, P_INIT, seed);
    }

    public Square(float eps, Norm norm, int queries, double pInit, long seed) {
        AttackMath.checkEps(eps);
        if (queries < 1) {
            throw new IllegalArgumentException("Square queries must be >= 1; got " + queries);
        }
        if (!(pInit > 0 && pInit <= 1)) {
            throw new IllegalArgumentException("Square p_init must be in (0, 1]; got " + pInit);
        }
        this.eps = eps;
        this.norm = AttackMath.checkNorm(norm);
        this.queries = queries;
        this.pInit = pInit;
        this.seed = seed;
    }

    @Override
    public NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start) {
        AttackMath.checkBatch(x, y, start);
        Shape shape = x.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("Square needs images (N,C,H,W); got shape " + shape);
        }
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        int d = c * h * w;
        SquareSteps steps = new SquareSteps(eps, norm, c, h, w);
        long callSeed = AttackMath.callSeed(seed, calls.getAndIncrement());
        float[] clean = x.toType(DataType.FLOAT32, false).toFloatArray();
        long[] labels = y.toType(DataType.INT64, false).toLongArray();
        float[] best = clean.clone();
        float[] margin = new float[n];
        try (FrozenModel frozen = new FrozenModel(f, x)) {
            int[] active = IntStream.range(0, n).toArray();
            boolean[] wrong = query(f, frozen.manager(), shape, pack(clean, active, d), labels, active, margin);
            active = unflagged(active, wrong);
            SplittableRandom[] random = new SplittableRandom[n];
            float[] candidate = new float[active.length * d];
            for (int j = 0; j < active.length; j++) {
                random[active[j]] = new SplittableRandom(mix(callSeed ^ mix(active[j] + 1L)));
                steps.start(random[active[j]], clean, active[j] * d, candidate, j * d);
            }
            float[] loss = new float[n];
            wrong = query(f, frozen.manager(), shape, candidate, labels, active, loss);
            for (int j = 0; j < active.length; j++) {
                System.arraycopy(candidate, j * d, best, active[j] * d, d);
                margin[active[j]] = loss[active[j]];
            }
            active = unflagged(active, wrong);
            for (int i = 0; i < queries && active.length > 0; i++) {
                double p = p(i, queries, pInit);
                candidate = new float[active.length * d];
                for (int j = 0; j < active.length; j++) {
                    steps.propose(random[active[j]], p, clean, best, active[j] * d, candidate, j * d);
                }
                wrong = query(f, frozen.manager(), shape, candidate, labels, active, loss);
                for (int j = 0; j < active.length; j++) {
                    if (wrong[j] || loss[active[j]] < margin[active[j]]) {
                        System.arraycopy(candidate, j * d, best, active[j] * d, d);
                        margin[active[j]] = loss[active[j]];
                    }
                }
                active = unflagged(active, wrong);
            }
        }
        return x.getManager().create(best, shape);
    }

    /**
     * The square's fraction of pixels at query i of n: p_init halved at ⌊i/n·10000⌋ &gt; 10, 50, 200,
     * 500, 1000, 2000, 4000, 6000 and 8000.
     */
    static double p(int i, int n, double pInit) {
        int it = (int) ((double) i / n * SCHEDULE_BASE);
        int k = 0;
        while (k < HALVINGS.length && it > HALVINGS[k]) {
            k++;
        }
        return pInit / (1 << k);
    }

    /** One forward over {@code points} (the rows {@code rows}): writes each row's margin, returns which f misclassifies. */
    private boolean[] query(Classifier f, NDManager parent, Shape shape, float[] points, long[] labels, int[] rows, float[] margin) {
        if (rows.length == 0) {
            return new boolean[0];
        }
        float[] z;
        try (NDManager m = parent.newSubManager()) {
            z = f.logits(m.create(points, new Shape(rows.length).addAll(shape.slice(1))), false).toFloatArray();
        }
        forwardRows.addAndGet(rows.length);
        int classes = z.length / Math.max(rows.length, 1);
        boolean[] wrong = new boolean[rows.length];
        for (int j = 0; j < rows.length; j++) {
            int label = (int) labels[rows[j]];
            int top = 0;
            float other = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                float v = z[j * classes + k];
                top = v > z[j * classes + top] ? k : top;
                other = k != label ? Math.max(other, v) : other;
            }
            margin[rows[j]] = z[j * classes + label] - other;
            wrong[j] = top != label;
        }
        return wrong;
    }

    private static float[] pack(float[] a, int[] rows, int d) {
        float[] out = new float[rows.length * d];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(a, rows[j] * d, out, j * d, d);
        }
        return out;
    }

    /** The rows whose flag is off (the examples still classified correctly). */
    private static int[] unflagged(int[] rows, boolean[] flag) {
        return IntStream.range(0, rows.length).filter(j -> !flag[j]).map(j -> rows[j]).toArray();
    }

    /** SplitMix64's finalizer: neighbouring inputs give unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("norm", norm.name());
        s.put("eps", eps);
        s.put("loss", "margin");
        s.put("queries", queries);
        s.put("p_init", pInit);
        s.put("restarts", 1);
        return s;
    }

    @Override
    public long forwardRows() {
        return forwardRows.get();
    }

    /** Always 0: Square queries f only. */
    @Override
    public long backwardRows() {
        return 0;
    }

    @Override
    public String name() {
        return norm == Norm.LINF ? "square" : "square-l2";
    }

    public int queries() {
        return queries;
    }
}
