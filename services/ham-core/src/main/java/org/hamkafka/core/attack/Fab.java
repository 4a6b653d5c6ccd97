package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * FAB-T, the targeted Fast Adaptive Boundary attack, in the ε-bounded form AutoAttack runs: a
 * minimum-norm attack whose example counts as broken only when the smallest adversarial perturbation
 * it found has norm &le; eps. Per example x (label y, target t) and iteration k, with
 * g = z_t − z_y and ∇g its input gradient at x_k (one forward + one backward):
 * <pre>
 * π(p)    = the smallest δ (L∞ or L2) with g(x_k) + ∇g·(p + δ − x_k) = 0 and p + δ ∈ [0,1]^d
 * δ1 = π(x_k), δ2 = π(x),   α = min(||δ1|| / (||δ1|| + ||δ2||), α_max)
 * x_{k+1} = clip((1 − α)(x_k + η·δ1) + α(x + η·δ2), 0, 1)
 * if f misclassifies x_{k+1}: keep it if it is the closest to x so far, then x_{k+1} = x + β(x_{k+1} − x)
 * </pre>
 * α_max = 0.1, η = 1.05, β = 0.9 (the paper's values). π is the exact box-constrained projection
 * onto the linearised boundary; where the box does not reach the boundary, π moves every
 * coordinate as far towards it as the box allows. Targets: the k-th largest clean logit,
 * k = 2..targets+1 (at most C−1); restart 0 starts at x (or at x + {@code start}, projected), restart
 * r &gt; 0 at clip(x + eps/2 · u/||u||, 0, 1), u uniform in [−1,1]^d (L∞) or Gaussian (L2), from
 * {@link RandomStart}'s per-example generator seeded by (seed, call, r). Every run attacks only the
 * examples that f classifies correctly clean and no earlier run broke; a run keeps all its rows for
 * all iterations (it minimises the norm); the result per example is its closest adversarial point
 * if that is within eps, else x.
 *
 * <p>Passes, in example-rows ({@link #forwardRows()}, {@link #backwardRows()}): one clean forward of
 * the batch (predictions and targets); then a run over n examples for N iterations costs
 * n·(N+1) + E forward and n·N + E backward rows — a forward+backward at the start and after steps
 * 1..N−1, a forward only after step N — where E counts the iterates (after steps 1..N−1) that f
 * misclassifies: those are moved back by β and need their gradient again. The misclassification
 * check reads the logits of the gradient's own forward, so it costs nothing more, and no final
 * re-check is run (the kept point is the one whose logits were read).
 *
 * <p>Paper: Francesco Croce and Matthias Hein, "Minimally distorted adversarial examples with a fast
 * adaptive boundary attack", ICML 2020.
 */
public final class Fab implements Attack {
    public static final float ALPHA_MAX = 0.1f;
    public static final float ETA = 1.05f;
    public static final float BETA = 0.9f;

    private final float eps;
    private final Norm norm;
    private final int iterations;
    private final int restarts;
    private final int targets;
    private final long seed;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong forwardRows = new AtomicLong();
    private final AtomicLong backwardRows = new AtomicLong();

    public Fab(float eps, Norm norm, int iterations, int restarts, int targets, long seed) {
        AttackMath.checkEps(eps);
        if (iterations < 1) {
            throw new IllegalArgumentException("FAB iterations must be >= 1; got " + iterations);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("FAB restarts must be >= 1; got " + restarts);
        }
        if (targets < 1) {
            throw new IllegalArgumentException("FAB-T targets must be >= 1; got " + targets);
        }
        this.eps = eps;
        this.norm = AttackMath.checkNorm(norm);
        this.iterations = iterations;
        this.restarts = restarts;
        this.targets = targets;
        this.seed = seed;
    }

    @Override
    public NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start) {
        AttackMath.checkBatch(x, y, start);
        int classes = f.info().numClasses();
        if (classes < 2) {
            throw new IllegalArgumentException(name() + " needs at least 2 classes; the model has " + classes);
        }
        long callSeed = AttackMath.callSeed(seed, calls.getAndIncrement());
        int n = (int) x.getShape().get(0);
        Shape image = x.getShape().slice(1);
        int dim = (int) image.size();
        try (FrozenModel frozen = new FrozenModel(f, x)) {
            NDManager sub = frozen.manager();
            NDArray xs = AttackMath.local(x, sub);
            float[] clean = xs.toFloatArray();
            long[] labels = AttackMath.local(y, sub).toType(DataType.INT64, false).toLongArray();
            NDArray logits = f.logits(xs, false).stopGradient();
            forwardRows.addAndGet(n);
            long[] ranked = logits.argSort(1, false).toLongArray();
            long[] predicted = logits.argMax(1).toLongArray();
            boolean[] done = new boolean[n]; // misclassified clean, or broken
            for (int i = 0; i < n; i++) {
                done[i] = predicted[i] != labels[i];
            }
            float[] out = clean.clone();
            float[] given = start == null ? null
                    : AttackMath.project(xs.add(AttackMath.local(start, sub)), xs, eps, norm).toFloatArray();
            FabRun run = new FabRun(f, sub, image, norm);
            for (int k = 1; k <= Math.min(targets, classes - 1); k++) {
                for (int r = 0; r < restarts; r++) {
                    int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> !done[i]).toArray();
                    if (rows.length == 0) {
                        break;
                    }
                    long[] t = new long[rows.length];
                    for (int j = 0; j < rows.length; j++) {
                        t[j] = ranked[rows[j] * classes + k];
                    }
                    float[] x0 = gather(clean, rows, dim);
                    float[] from = r == 0 ? (given == null ? x0.clone() : gather(given, rows, dim))
                            : randomStart(sub, runSeed(callSeed, r), rows, image, x0);
                    FabRun.Outcome o = run.run(x0, from, pick(labels, rows), t, iterations);
                    forwardRows.addAndGet(o.forwardRows());
                    backwardRows.addAndGet(o.backwardRows());
                    for (int j = 0; j < rows.length; j++) {
                        if (o.distance()[j] <= eps) {
                            System.arraycopy(o.points(), j * dim, out, rows[j] * dim, dim);
                            done[rows[j]] = true;
                        }
                    }
                }
            }
            return x.getManager().create(out, x.getShape());
        }
    }

    /** clip(x + eps/2 · u/||u||, 0, 1) per example, u uniform in [−1,1]^d (L∞) or Gaussian (L2). */
    private float[] randomStart(NDManager m, long runSeed, int[] rows, Shape image, float[] x0) {
        long[] ids = Arrays.stream(rows).asLongStream().toArray();
        float[] u = (norm == Norm.LINF ? RandomStart.uniform(m, runSeed, ids, image, 1f)
                : RandomStart.normal(m, runSeed, ids, image, 1f)).toFloatArray();
        int dim = (int) image.size();
        float[] out = new float[x0.length];
        for (int j = 0; j < rows.length; j++) {
            double size = FabRun.norm(u, j * dim, dim, norm);
            for (int i = j * dim; i < (j + 1) * dim; i++) {
                out[i] = (float) Math.min(1, Math.max(0, x0[i] + 0.5 * eps * u[i] / Math.max(size, 1e-12)));
            }
        }
        return out;
    }

    private static float[] gather(float[] a, int[] rows, int dim) {
        float[] out = new float[rows.length * dim];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(a, rows[j] * dim, out, j * dim, dim);
        }
        return out;
    }

    private static long[] pick(long[] a, int[] rows) {
        return Arrays.stream(rows).mapToLong(i -> a[i]).toArray();
    }

    private static long runSeed(long callSeed, int restart) {
        return callSeed ^ (restart * 0x9E3779B97F4A7C15L);
    }

    @Override
    public String name() {
        return "fab-t" + (norm == Norm.LINF ? "" : "-l2");
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("norm", norm.name());
        s.put("eps", eps);
        s.put("iterations", iterations);
        s.put("restarts", restarts);
        s.put("targets", targets);
        s.put("alpha_max", ALPHA_MAX);
        s.put("eta", ETA);
        s.put("beta", BETA);
        return s;
    }

    @Override
    public long forwardRows() {
        return forwardRows.get();
    }

    @Override
    public long backwardRows() {
        return backwardRows.get();
    }
}
