package org.hamkafka.core.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The evaluation attacks by name — the one place that knows the names (settings validation, the CLI,
 * eval-service and the experiment all go through it):
 * <ul>
 *   <li>{@code pgd-<K>}: PGD on the cross-entropy, alpha = eps/4, random start (the reference's PGD-20);</li>
 *   <li>{@code cw-<K>}: PGD on the CW margin, alpha = eps/4, random start;</li>
 *   <li>{@code fgsm}: one step of eps from a random start;</li>
 *   <li>{@code apgd-ce[-<N>]}: APGD on the cross-entropy, N iterations (default 100), 1 restart;</li>
 *   <li>{@code apgd-t[-<N>]}: APGD on the targeted DLR loss, 9 targets × N iterations (default 100);</li>
 *   <li>{@code fab-t[-<N>]}: FAB-T, targeted FAB, 9 targets × N iterations (default 100), 1 restart;</li>
 *   <li>{@code square[-<Q>]}: Square Attack, Q queries (default 5000), p_init 0.8, margin loss;</li>
 *   <li>{@code autoattack[-<preset>]}: AutoAttack, preset {@code standard} (default: APGD-CE, APGD-T, FAB-T, Square), {@code apgd} (its APGD part) or {@code fast} (a CI-sized APGD part).</li>
 * </ul>
 */
public final class EvaluationAttacks {
    /** Upper bound on the iterations of one named attack: beyond it an evaluation is a denial of service. */
    public static final int MAX_STEPS = 1000;
    private static final Pattern NAME = Pattern.compile(
            "(pgd|cw)-(\\d{1,9})|fgsm|apgd-(ce|t)(?:-(\\d{1,9}))?|autoattack(?:-([a-z]+))?|fab-t(?:-(\\d{1,9}))?");
    private static final int APGD_DEFAULT_ITERATIONS = 100;
    private static final int APGD_T_TARGETS = 9;
    private static final int FAB_DEFAULT_ITERATIONS = 100;
    private static final int FAB_T_TARGETS = 9;

    private EvaluationAttacks() {
    }

    /** The grammar, for error messages. */
    public static final String GRAMMAR = "pgd-<steps>, cw-<steps>, fgsm, apgd-ce[-<iterations>], "
            + "apgd-t[-<iterations>], fab-t[-<iterations>], autoattack[-standard|-apgd|-fast] or square[-<queries>]";

    /** Throws an {@link IllegalArgumentException} naming the grammar when {@code name} is not an attack. */
    public static void check(String name) {
        parse(name);
    }

    /** Builds the named attacks (each seeded with {@code seed}) for the budget {@code eps} under {@code norm}. */
    public static List<Attack> create(List<String> names, float eps, Norm norm, long seed) {
        List<Attack> out = new ArrayList<>();
        for (String name : names) {
            out.add(parse(name).create(eps, norm, seed));
        }
        return out;
    }

    /**
     * An upper bound on the forward plus backward example-rows that evaluating {@code examples} examples of a data
     * set with {@code classes} classes under {@code names} may cost: each attack's pass counts with nothing breaking
     * early (targets capped at classes − 1, FAB's moved-back iterates at their most), plus the evaluator's forward
     * of each attack's output. What a cost bound on an evaluation compares against.
     */
    public static long maxRows(List<String> names, int classes, long examples) {
        long perExample = 0;
        for (String name : names) {
            perExample += parse(name).maxRowsPerExample(classes);
        }
        return Math.multiplyExact(perExample, examples);
    }

    private record Spec(String kind, int steps, String preset) {
        /** Forward + backward rows per example, nothing breaking early; see {@link #maxRows}. */
        long maxRowsPerExample(int classes) {
            int t = Math.max(1, classes - 1);
            long n = steps;
            return 1 + switch (kind) {
                case "pgd", "cw" -> 2 * n;
                case "fgsm" -> 2;
                case "apgd-ce" -> 2 * n + 1;
                case "apgd-t" -> 1 + Math.min(APGD_T_TARGETS, t) * (2 * n + 1);
                case "fab-t" -> 1 + Math.min(FAB_T_TARGETS, t) * (4 * n - 1);
                case "square" -> n + 2;
                default -> autoAttackRows(AutoAttack.preset(preset), t);
            };
        }

        private static long autoAttackRows(AutoAttack.Preset p, int t) {
            long rows = 1 + (p.ceIterations() * 2L + 1) * p.ceRestarts() + 1;
            rows += 1 + Math.min(p.targets(), t) * (p.targetedIterations() * 2L + 1) * p.targetedRestarts() + 1;
            if (p.fabIterations() > 0) {
                rows += 1 + Math.min(p.fabTargets(), t) * (p.fabIterations() * 4L - 1) + 1;
            }
            if (p.squareQueries() > 0) {
                rows += p.squareQueries() + 2 + 1;
            }
            return rows;
        }

        Attack create(float eps, Norm norm, long seed) {
            return switch (kind) {
                case "pgd" -> new Pgd(eps, eps / 4f, steps, norm, true, seed);
                case "cw" -> new CwPgd(eps, eps / 4f, steps, norm, true, seed);
                case "fgsm" -> new Fgsm(eps, eps, norm, seed);
                case "apgd-ce" -> new Apgd(eps, norm, steps, 1, Apgd.Loss.CE, 0, seed);
                case "apgd-t" -> new Apgd(eps, norm, steps, 1, Apgd.Loss.DLR_TARGETED, APGD_T_TARGETS, seed);
                case "square" -> new Square(eps, norm, steps, seed);
                case "fab-t" -> new Fab(eps, norm, steps, 1, FAB_T_TARGETS, seed);
                default -> new AutoAttack(AutoAttack.preset(preset), eps, norm, seed);
            };
        }
    }

    private static Spec parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        Spec square = parseSquare(name, n);
        if (square != null) {
            return square;
        }
        Matcher m = NAME.matcher(n);
        if (!m.matches()) {
            throw new IllegalArgumentException("evaluation attack must be " + GRAMMAR + "; got '" + name + "'");
        }
        Spec s;
        if (m.group(1) != null) {
            s = new Spec(m.group(1), Integer.parseInt(m.group(2)), null);
        } else if (n.equals("fgsm")) {
            s = new Spec("fgsm", 1, null);
        } else if (m.group(3) != null) {
            s = new Spec("apgd-" + m.group(3), m.group(4) == null ? APGD_DEFAULT_ITERATIONS
                    : Integer.parseInt(m.group(4)), null);
        } else if (n.startsWith("fab-t")) {
            s = new Spec("fab-t", m.group(6) == null ? FAB_DEFAULT_ITERATIONS : Integer.parseInt(m.group(6)), null);
        } else {
            String preset = m.group(5) == null ? "standard" : m.group(5);
            AutoAttack.preset(preset); // unknown presets fail here, listing the known ones
            s = new Spec("autoattack", 0, preset);
        }
        if (!s.kind.equals("autoattack") && (s.steps < 1 || s.steps > MAX_STEPS)) {
            throw new IllegalArgumentException("evaluation attack '" + name + "': steps must be in [1, " + MAX_STEPS
                    + "]; got " + s.steps);
        }
        return s;
    }

    // Square Attack: forward passes only, so its bound is on queries, not on steps.

    /** Upper bound on Square's queries: the reference's schedule is defined over 10 000. */
    public static final int MAX_SQUARE_QUERIES = 10000;
    private static final Pattern SQUARE = Pattern.compile("square(?:-(\\d{1,9}))?");

    /** {@code square[-<queries>]}, or null for any other name. */
    private static Spec parseSquare(String name, String n) {
        Matcher m = SQUARE.matcher(n);
        if (!m.matches()) {
            return null;
        }
        int queries = m.group(1) == null ? Square.QUERIES : Integer.parseInt(m.group(1));
        if (queries < 1 || queries > MAX_SQUARE_QUERIES) {
            throw new IllegalArgumentException("evaluation attack '" + name + "': queries must be in [1, "
                    + MAX_SQUARE_QUERIES + "]; got " + queries);
        }
        return new Spec("square", queries, null);
    }
}
