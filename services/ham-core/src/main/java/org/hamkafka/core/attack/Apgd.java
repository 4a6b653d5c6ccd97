package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.core.model.Classifier;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * APGD (Croce &amp; Hein, ICML 2020), one class: PGD with momentum and a step size η that adapts
 * per example, on the cross-entropy (APGD-CE), the DLR loss (APGD-DLR) or the targeted DLR loss
 * (APGD-T). One run (see {@link ApgdRun}) per example:
 * <pre>
 * x_0     = clip(x + eps·t/||t||, 0, 1)    t uniform in [-1,1]^d, ||·||∞ (L∞); t ~ N(0, I), ||·||2 (L2)
 * η       = 2·eps
 * z       = P(x_k + η·sign(g_k))                (L2: η·g_k/||g_k||2), g_k = ∇x L(f(x_k), y) of the summed loss
 * x_{k+1} = P(x_k + a·(z − x_k) + (1 − a)·(x_k − x_{k−1})),   a = 1 at k = 0, else 0.75
 * </pre>
 * P projects onto the eps-ball around x, then clips to [0,1]. At the checkpoints
 * {@link #checkpoints(int)} η is halved for an example, and it restarts from its best point, when
 * (1) its loss rose in at most 0.75·(interval length) of the steps since the last checkpoint, or
 * (2) η was not halved at the last checkpoint and its best loss has not improved since.
 *
 * <p>Restarts and targets: {@code restarts} runs per target (DLR_TARGETED: target k = the k-th
 * largest clean logit, k = 2..targets+1, at most C−1 targets) or per attack; every run attacks only
 * the examples no run has broken yet, and inside a run an example leaves the batch at the iterate
 * where f first misclassifies it. Per example the result is that misclassified point, else the
 * point with the highest loss over all runs. The reference runs the targets one after another; here a
 * restart runs all targets of an example in one batch (the same start for each, as the reference's) and
 * its rows leave together when one breaks it. A row's iterates depend on that row alone, so an example
 * is broken exactly when some target's run breaks it, as in the reference, in a ninth of the steps
 * (9 targets), each on a fuller batch.
 *
 * <p>Passes, counted in example-rows ({@link #forwardRows()}, {@link #backwardRows()}): a run over n
 * examples for N iterations costs at most n·(N+1) forward and n·N backward rows — one
 * forward+backward at x_0 and at x_1..x_{N−1}, forward only at x_N (its gradient would never be
 * used) — less as examples break. DLR_TARGETED adds one clean forward of the batch to pick targets.
 *
 * <p>Randomness: the start of example i in restart r comes from {@link RandomStart}'s per-example
 * generator seeded by (seed, call, r) and i's row in the batch given to {@link #perturb}, so it does
 * not depend on which other examples are still being attacked. Every target's restart r begins from
 * the same start, as in the reference (it reseeds per target); a given {@code start} replaces restart
 * 0's. Two calls without a start draw different starts (per-call counter, as {@link Pgd}).
 *
 * <p>Paper:
 * Francesco Croce and Matthias Hein, "Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks", ICML 2020.
 */
public final class Apgd implements Attack {
    /** The loss maximised: cross-entropy, DLR, or targeted DLR. */
    public enum Loss { CE, DLR, DLR_TARGETED }


    private final float eps;
    private final Norm norm;
    private final int iterations;
    private final int restarts;
    private final Loss loss;
    private final int targets;
    private final long seed;
    private final int[] checkpoints;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong forwardRows = new AtomicLong();
    private final AtomicLong backwardRows = new AtomicLong();

    /**
     * @param targets  for DLR_TARGETED the number of target classes (k-th largest clean logit,
     *                 k = 2..targets+1), ignored otherwise
     * @param restarts runs per target (or per attack when untargeted); an example stops as soon as it
     *                 is broken
     */
    public Apgd(float eps, Norm norm, int iterations, int restarts, Loss loss, int targets, long seed) {
        AttackMath.checkEps(eps);
        if (iterations < 1) {
            throw new IllegalArgumentException("APGD iterations must be >= 1; got " + iterations);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("APGD restarts must be >= 1; got " + restarts);
        }
        if (loss == null) {
            throw new IllegalArgumentException("APGD loss must be CE, DLR or DLR_TARGETED; got null");
        }
        if (loss == Loss.DLR_TARGETED && targets < 1) {
            throw new IllegalArgumentException("APGD-T targets must be >= 1; got " + targets);
        }
        this.eps = eps;
        this.norm = AttackMath.checkNorm(norm);
        this.iterations = iterations;
        this.restarts = restarts;
        this.loss = loss;
        this.targets = loss == Loss.DLR_TARGETED ? targets : 0;
        this.seed = seed;
        this.checkpoints = checkpoints(iterations);
    }

    /**
     * The checkpoints w_0 = 0 &lt; w_1 &lt; ... &le; N as iteration counts: the check at w_j runs once
     * x_{w_j} is known (after the w_j-th step, loop index w_j − 1) and looks back over the
     * w_j − w_{j−1} steps since w_{j−1}; w_0 = 0, the start, is listed but never checked. w_1 =
     * max(⌊0.22N⌋, 1), then the interval shrinks by max(⌊0.03N⌋, 1) per checkpoint down to at least
     * max(⌊0.06N⌋, 1), as long as w_j &le; N. For N = 100: 0, 22, 41, 57, 70, 80, 87, 93, 99 (the
     * paper's w_j = ⌈p_j·N⌉; the reference's counter fires at loop indices 21, 40, ..., 98).
     */
    public static int[] checkpoints(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("APGD iterations must be >= 1; got " + iterations);
        }
        int interval = Math.max((int) (0.22 * iterations), 1);
        int decrease = Math.max((int) (0.03 * iterations), 1);
        int minimum = Math.max((int) (0.06 * iterations), 1);
        int[] out = new int[iterations + 1];
        int n = 1;
        for (int w = interval; w <= iterations; w += interval) {
            out[n++] = w;
            interval = Math.max(interval - decrease, minimum);
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start) {
        AttackMath.checkBatch(x, y, start);
        int classes = f.info().numClasses();
        int minClasses = loss == Loss.DLR_TARGETED ? 4 : loss == Loss.DLR ? 3 : 2;
        if (classes < minClasses) {
            throw new IllegalArgumentException(name() + " needs at least " + minClasses + " classes (its loss reads the "
                    + (minClasses - 1) + " largest logits besides the true one's); the model has " + classes);
        }
        long callSeed = AttackMath.callSeed(seed, calls.getAndIncrement());
        int n = (int) x.getShape().get(0);
        try (FrozenModel frozen = new FrozenModel(f, x)) {
            NDManager sub = frozen.manager();
            NDArray xs = AttackMath.local(x, sub);
            NDArray ys = AttackMath.local(y, sub).toType(DataType.INT64, false);
            NDArray ranked = null;
            int runsPerExample = 1;
            if (loss == Loss.DLR_TARGETED) {
                // classes by clean logit, largest first; target k is column k-1
                ranked = f.logits(xs, false).stopGradient().argSort(1, false);
                forwardRows.addAndGet(n);
                runsPerExample = Math.min(targets, classes - 1);
            }
            NDArray best = xs;
            float[] bestLoss = new float[n];
            Arrays.fill(bestLoss, Float.NEGATIVE_INFINITY);
            boolean[] broken = new boolean[n];
            ApgdRun.Settings settings = new ApgdRun.Settings(eps, norm, iterations, checkpoints, loss);
            for (int r = 0; r < restarts; r++) {
                int[] rows = unbroken(broken);
                if (rows.length == 0) {
                    break;
                }
                // every target of an unbroken example in one batch, target by target (row j·m + e is example
                // rows[e] against target j); an example's rows leave together once any of them breaks it
                int m = rows.length;
                long[] batchRows = new long[runsPerExample * m];
                int[] group = new int[batchRows.length];
                for (int j = 0; j < batchRows.length; j++) {
                    batchRows[j] = rows[j % m];
                    group[j] = j % m;
                }
                NDArray idx = sub.create(batchRows);
                NDArray xr = xs.get(idx);
                NDArray t = ranked == null ? null : targetColumns(ranked, rows, runsPerExample, sub);
                NDArray delta = r == 0 && start != null ? AttackMath.local(start, sub).get(idx)
                        : startPerturbation(sub, runSeed(callSeed, r), rows, x.getShape().slice(1))
                                .get(sub.create(Arrays.stream(group).asLongStream().toArray()));
                NDArray x0 = AttackMath.project(xr.add(delta), xr, eps, norm);
                ApgdRun.Outcome o = new ApgdRun(f, settings).run(xr, ys.get(idx), t, x0, group);
                forwardRows.addAndGet(o.forwardRows());
                backwardRows.addAndGet(o.backwardRows());
                best = merge(best, o, rows, broken, bestLoss);
            }
            NDArray out = best.stopGradient();
            out.attach(x.getManager());
            return out;
        }
    }

    /** Target j+1 (the (j+2)-th largest clean logit) of example rows[e] at row j·m + e, m = rows.length. */
    private static NDArray targetColumns(NDArray ranked, int[] rows, int targets, NDManager m) {
        NDArray idx = m.create(Arrays.stream(rows).asLongStream().toArray());
        NDArray picked = ranked.get(idx);
        NDArray[] columns = new NDArray[targets];
        for (int j = 0; j < targets; j++) {
            columns[j] = picked.get(":, " + (j + 1));
        }
        return targets == 1 ? columns[0] : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(columns));
    }

    /**
     * Per example of the run (rows[e], batch rows e, m + e, 2m + e, ...): the point of its first broken row (the
     * lowest target among those that broke it at the same iterate), else of its row with the highest best loss when
     * that beats every earlier run's.
     */
    private static NDArray merge(NDArray best, ApgdRun.Outcome o, int[] rows, boolean[] broken, float[] bestLoss) {
        int m = rows.length;
        int[] take = new int[broken.length];
        Arrays.fill(take, -1);
        for (int e = 0; e < m; e++) {
            int i = rows[e];
            int chosen = -1;
            for (int j = e; j < o.broken().length; j += m) {
                if (o.broken()[j]) {
                    chosen = j;
                    break;
                }
            }
            if (chosen >= 0) {
                broken[i] = true;
                bestLoss[i] = Math.max(bestLoss[i], o.bestLoss()[chosen]);
                take[i] = chosen;
                continue;
            }
            for (int j = e; j < o.broken().length; j += m) {
                if (o.bestLoss()[j] > bestLoss[i]) {
                    bestLoss[i] = o.bestLoss()[j];
                    take[i] = j;
                }
            }
        }
        return Rows.replace(best, o.points(), take);
    }

    private static int[] unbroken(boolean[] broken) {
        return java.util.stream.IntStream.range(0, broken.length).filter(i -> !broken[i]).toArray();
    }

    private static long runSeed(long callSeed, int restart) {
        return callSeed ^ (restart * 0x9E3779B97F4A7C15L);
    }

    /** eps·t/||t|| per example: t uniform in [-1,1]^d with ||·||∞ (L∞), t Gaussian with ||·||2 (L2). */
    NDArray startPerturbation(NDManager m, long runSeed, int[] rows, Shape image) {
        long[] ids = Arrays.stream(rows).asLongStream().toArray();
        NDArray t = norm == Norm.LINF ? RandomStart.uniform(m, runSeed, ids, image, 1f)
                : RandomStart.normal(m, runSeed, ids, image, 1f);
        NDArray size = norm == Norm.LINF ? t.reshape(ids.length, -1).abs().max(new int[]{1}) : AttackMath.l2Norms(t);
        return t.mul(AttackMath.perExample(size.add(ApgdLosses.TINY).pow(-1).mul(eps), t.getShape()));
    }

    @Override
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("norm", norm.name());
        s.put("eps", eps);
        s.put("loss", loss.name());
        s.put("iterations", iterations);
        s.put("restarts", restarts);
        if (loss == Loss.DLR_TARGETED) {
            s.put("targets", targets);
        }
        s.put("momentum", ApgdRun.MOMENTUM);
        return s;
    }

    /** Examples-rows of forward passes this instance has spent so far (all calls). */
    @Override
    public long forwardRows() {
        return forwardRows.get();
    }

    /** Example-rows of backward passes (gradients w.r.t. the input) this instance has spent so far. */
    @Override
    public long backwardRows() {
        return backwardRows.get();
    }

    @Override
    public String name() {
        String base = switch (loss) {
            case CE -> "apgd-ce";
            case DLR -> "apgd-dlr";
            case DLR_TARGETED -> "apgd-t";
        };
        return base + (norm == Norm.LINF ? "" : "-l2");
    }

    public float eps() {
        return eps;
    }

    public Norm norm() {
        return norm;
    }

    public int iterations() {
        return iterations;
    }

    public int restarts() {
        return restarts;
    }

    public Loss loss() {
        return loss;
    }

    /** The configured number of targets (0 when untargeted); a run uses at most C−1 of them. */
    public int targets() {
        return targets;
    }
}
