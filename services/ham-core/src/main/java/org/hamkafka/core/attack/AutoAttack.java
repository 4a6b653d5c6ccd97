package org.hamkafka.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.hamkafka.core.model.Classifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AutoAttack (Croce &amp; Hein, ICML 2020): attacks in sequence, each only on the examples still robust; an example
 * is robust only if it survives all. Its standard version, as RobustBench quotes it:
 * <ol>
 *   <li>classify x; examples misclassified clean are done (not attacked);</li>
 *   <li>APGD-CE ({@code ceIterations}, {@code ceRestarts}) on the rest;</li>
 *   <li>APGD-T (targeted DLR, {@code targets} targets × {@code targetedIterations}, {@code targetedRestarts});</li>
 *   <li>FAB-T ({@code fabTargets} targets × {@code fabIterations}, 1 restart), if the preset runs it;</li>
 *   <li>Square ({@code squareQueries} queries, no gradient), if the preset runs it.</li>
 * </ol>
 * After each stage its points are classified again (one forward of the attacked rows, as the reference does) and
 * only those misclassified there count as broken. {@link #APGD} is the APGD part alone (stages 1–3), {@link #FAST}
 * a CI-sized APGD part.
 *
 * <p>Passes of {@link #run} over N examples, n_s of them attacked in stage s: forward rows =
 * N + Σ_s (stage s's forward rows + n_s), backward rows = Σ_s stage s's backward rows (see {@link Apgd},
 * {@link Fab}, {@link Square}; Square spends forward rows only).
 *
 * <p>All stages use the same seed (as the reference); a second call on the same instance draws new
 * starts. Not thread-safe across concurrent calls on the same Classifier (see {@link Classifier}).
 *
 * <p>Paper:
 * Francesco Croce and Matthias Hein, "Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks", ICML 2020.
 */
public final class AutoAttack implements Attack {
    /**
     * The version: its name and every stage's iterations, restarts and targets.
     *
     * @param name          e.g. "standard"; results name the attack "autoattack-" + name
     * @param fabTargets    FAB-T's targets; 0 with {@code fabIterations} 0: no FAB-T stage
     * @param squareQueries Square's queries; 0: no Square stage
     */
    public record Preset(String name, int ceIterations, int ceRestarts, int targets, int targetedIterations,
                         int targetedRestarts, int fabTargets, int fabIterations, int squareQueries) {
        /** An APGD part alone. */
        public Preset(String name, int ceIterations, int ceRestarts, int targets, int targetedIterations,
                      int targetedRestarts) {
            this(name, ceIterations, ceRestarts, targets, targetedIterations, targetedRestarts, 0, 0, 0);
        }

        public Preset {
            if (fabTargets < 0 || fabIterations < 0 || squareQueries < 0 || (fabTargets == 0) != (fabIterations == 0)) {
                throw new IllegalArgumentException("AutoAttack preset: FAB-T needs both targets and iterations "
                        + "(or neither), Square queries >= 0; got " + fabTargets + ", " + fabIterations + ", "
                        + squareQueries);
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("AutoAttack preset name must not be blank");
            }
            positive("ceIterations", ceIterations);
            positive("ceRestarts", ceRestarts);
            positive("targets", targets);
            positive("targetedIterations", targetedIterations);
            positive("targetedRestarts", targetedRestarts);
        }

        private static void positive(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException("AutoAttack preset " + field + " must be >= 1; got " + value);
            }
        }
    }

    /**
     * The standard version: APGD-CE 100 iterations, 1 restart; APGD-T 9 targets × 100, 1 restart; FAB-T 9 targets
     * × 100, 1 restart; Square 5000 queries, p_init 0.8.
     */
    public static final Preset STANDARD = new Preset("standard", 100, 1, 9, 100, 1, 9, 100, Square.QUERIES);

    /**
     * The standard version's APGD part alone (APGD-CE, then APGD-T): what {@code autoattack-standard} ran in
     * reports before version 4, which read back under this name.
     */
    public static final Preset APGD = new Preset("apgd", 100, 1, 9, 100, 1);

    /**
     * A CI-sized APGD part: APGD-CE 20 iterations, 1 restart; APGD-T 3 targets × 20, 1 restart. Per
     * example at most 20 + 5 + 3·21 = 88 forward and 80 backward rows, against STANDARD's
     * 100 + 5 + 9·101 = 1014 and 1000 (11–12× fewer). 20 iterations still give the step-size rule 13 checks (at 4, 7, 9, 10, ..., 20;
     * see {@link Apgd#checkpoints(int)}), and targets are tried most likely first, so the first 3 are
     * where a targeted attack succeeds most often. Measured on a standard-trained tiny-cnn, 1000
     * Fashion-MNIST test images: robust 0.090 (FAST) vs 0.084 (STANDARD) at eps 0.1, 0.505 vs 0.500 at
     * eps 0.03, for 10× and 11× fewer passes. It reads slightly higher than STANDARD, never a
     * substitute for it: report the preset with the number.
     */
    public static final Preset FAST = new Preset("fast", 20, 1, 3, 20, 1);

    private static final List<Preset> PRESETS = List.of(STANDARD, APGD, FAST);

    private final Preset preset;
    private final Norm norm;
    private final Apgd ce;
    private final List<Attack> stages;
    private final AtomicLong forwardRows = new AtomicLong();
    private final AtomicLong backwardRows = new AtomicLong();

    public AutoAttack(Preset preset, float eps, Norm norm, long seed) {
        if (preset == null) {
            throw new IllegalArgumentException("AutoAttack preset must not be null; known: " + known());
        }
        this.preset = preset;
        this.ce = new Apgd(eps, norm, preset.ceIterations(), preset.ceRestarts(), Apgd.Loss.CE, 0, seed);
        List<Attack> all = new ArrayList<>(List.of(ce, new Apgd(eps, norm, preset.targetedIterations(),
                preset.targetedRestarts(), Apgd.Loss.DLR_TARGETED, preset.targets(), seed)));
        if (preset.fabIterations() > 0) {
            all.add(new Fab(eps, norm, preset.fabIterations(), 1, preset.fabTargets(), seed));
        }
        if (preset.squareQueries() > 0) {
            all.add(new Square(eps, norm, preset.squareQueries(), seed));
        }
        this.stages = List.copyOf(all);
        this.norm = norm;
    }

    /** "standard", "apgd" or "fast", with or without the "autoattack-" prefix, any case. */
    public static Preset preset(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("autoattack-")) {
            n = n.substring("autoattack-".length());
        }
        for (Preset p : PRESETS) {
            if (p.name().equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown AutoAttack preset '" + name + "'; known: " + known());
    }

    private static String known() {
        return String.join(", ", PRESETS.stream().map(Preset::name).toList());
    }

    /**
     * @param stages         the attacks in order, e.g. ["apgd-ce", "apgd-t", "fab-t", "square"]
     * @param predictedAfter predictedAfter[s][i]: f's class for example i at its point after stage s
     *                       (the clean prediction for examples misclassified clean, the breaking
     *                       point's class for those broken by stage s or earlier, y for the rest)
     * @param adversarial    per example the breaking point if a stage broke it, else x (attached to
     *                       x's manager, detached)
     */
    public record Result(NDArray adversarial, List<String> stages, long[][] predictedAfter, long forwardRows,
                         long backwardRows) {
        /** Robust accuracy after each stage: the fraction of examples whose class is still y. */
        public double[] robustAccuracy(long[] labels) {
            double[] out = new double[predictedAfter.length];
            for (int s = 0; s < out.length; s++) {
                int ok = 0;
                for (int i = 0; i < labels.length; i++) {
                    ok += predictedAfter[s][i] == labels[i] ? 1 : 0;
                }
                out[s] = labels.length == 0 ? 0 : (double) ok / labels.length;
            }
            return out;
        }
    }

    public Result run(Classifier f, NDArray x, NDArray y) {
        return run(f, x, y, null);
    }

    /** As {@link #run(Classifier, NDArray, NDArray)}; {@code start}, if given, is APGD-CE's first start. */
    public Result run(Classifier f, NDArray x, NDArray y, NDArray start) {
        AttackMath.checkBatch(x, y, start);
        int n = (int) x.getShape().get(0);
        NDManager outer = x.getManager();
        try (NDManager sub = outer.newSubManager()) {
            long[] labels = y.toType(DataType.INT64, false).toLongArray();
            long[] current = predict(f, x);
            long forward = n;
            long backward = 0;
            NDArray xs = AttackMath.local(x, sub);
            NDArray ys = AttackMath.local(y, sub);
            NDArray adversarial = xs;
            long[][] predictedAfter = new long[stages.size()][];
            for (int s = 0; s < stages.size(); s++) {
                Attack a = stages.get(s);
                int[] rows = robust(current, labels);
                if (rows.length > 0) {
                    NDArray idx = sub.create(Arrays.stream(rows).asLongStream().toArray());
                    long f0 = a.forwardRows();
                    long b0 = a.backwardRows();
                    NDArray points = a.perturb(f, xs.get(idx), ys.get(idx),
                            s == 0 && start != null ? AttackMath.local(start, sub).get(idx) : null);
                    long[] after = predict(f, points);
                    forward += a.forwardRows() - f0 + rows.length;
                    backward += a.backwardRows() - b0;
                    adversarial = takeBroken(adversarial, points, rows, after, labels, current);
                }
                predictedAfter[s] = current.clone();
            }
            NDArray out = adversarial.stopGradient();
            out.attach(outer);
            forwardRows.addAndGet(forward);
            backwardRows.addAndGet(backward);
            return new Result(out, stages(), predictedAfter, forward, backward);
        }
    }

    /** Rows whose point after {@code after}'s stage is misclassified get that point and that class. */
    private static NDArray takeBroken(NDArray adversarial, NDArray points, int[] rows, long[] after, long[] labels,
                                      long[] current) {
        List<Long> gather = new ArrayList<>();
        long n = adversarial.getShape().get(0);
        for (int i = 0; i < n; i++) {
            gather.add((long) i);
        }
        boolean any = false;
        for (int j = 0; j < rows.length; j++) {
            if (after[j] != labels[rows[j]]) {
                current[rows[j]] = after[j];
                gather.set(rows[j], n + j);
                any = true;
            }
        }
        if (!any) {
            return adversarial;
        }
        NDArray idx = adversarial.getManager().create(gather.stream().mapToLong(Long::longValue).toArray());
        return adversarial.concat(points, 0).get(idx);
    }

    private static long[] predict(Classifier f, NDArray x) {
        try (NDManager m = x.getManager().newSubManager()) {
            NDArray in = x.stopGradient();
            in.attach(m);
            return f.logits(in, false).argMax(1).toLongArray();
        }
    }

    private static int[] robust(long[] predicted, long[] labels) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> predicted[i] == labels[i]).toArray();
    }

    @Override
    public NDArray perturb(Classifier f, NDArray x, NDArray y, NDArray start) {
        return run(f, x, y, start).adversarial();
    }

    /** The stage attacks' names in order, e.g. ["apgd-ce", "apgd-t", "fab-t", "square"]. */
    public List<String> stages() {
        return stages.stream().map(Attack::name).toList();
    }

    @Override
    public String name() {
        return "autoattack-" + preset.name() + (norm == Norm.LINF ? "" : "-l2");
    }

    public Preset preset() {
        return preset;
    }

    /** The preset by name and every number of it: what travels with an AutoAttack accuracy. */
    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("preset", preset.name());
        s.put("norm", norm.name());
        s.put("eps", ce.eps());
        s.put("ce_iterations", preset.ceIterations());
        s.put("ce_restarts", preset.ceRestarts());
        s.put("targets", preset.targets());
        s.put("targeted_iterations", preset.targetedIterations());
        s.put("targeted_restarts", preset.targetedRestarts());
        s.put("fab_targets", preset.fabTargets());
        s.put("fab_iterations", preset.fabIterations());
        s.put("square_queries", preset.squareQueries());
        return s;
    }

    /** Example-rows of forward passes over all calls: the clean check, the stages, the re-checks after each. */
    @Override
    public long forwardRows() {
        return forwardRows.get();
    }

    @Override
    public long backwardRows() {
        return backwardRows.get();
    }
}
