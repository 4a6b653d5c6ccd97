package org.hamkafka.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table of a report: one row per class (the worst robust class marked '*'), then aggregates, the
 * attacks' costs and the evaluation's sanity warnings (one line each).
 */
public final class ReportTable {
    private ReportTable() {
    }

    public static String format(Report r) {
        List<String> attacks = r.robustAccuracyByAttack() == null ? List.of()
                : new ArrayList<>(r.robustAccuracyByAttack().keySet());
        int worst = r.robustAccuracy() != null ? r.robustAccuracy().worstClassIndex() : r.cleanAccuracy().worstClassIndex();
        int nameWidth = 5;
        for (String c : r.classes()) {
            nameWidth = Math.max(nameWidth, c.length() + 2);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s / %s / %s, eps %.4f%n", r.dataset(), r.method(), r.model(), r.eps()));
        int[] widths = new int[attacks.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(8, attacks.get(i).length());
        }
        sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %8s", "class", "clean"));
        for (int i = 0; i < widths.length; i++) {
            sb.append(String.format(Locale.ROOT, " %" + widths[i] + "s", attacks.get(i)));
        }
        sb.append('\n');
        for (int c = 0; c < r.classes().size(); c++) {
            String name = (c == worst ? "*" : " ") + r.classes().get(c);
            sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %8.4f", name, r.cleanAccuracy().perClass()[c]));
            for (int i = 0; i < widths.length; i++) {
                sb.append(String.format(Locale.ROOT, " %" + widths[i] + ".4f",
                        r.robustAccuracyByAttack().get(attacks.get(i)).perClass()[c]));
            }
            sb.append('\n');
        }
        String[] rows = {"average", "worst", "best", "std", "nstd"};
        for (String row : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %8.4f", row, pick(r.cleanAccuracy(), row)));
            for (int i = 0; i < widths.length; i++) {
                sb.append(String.format(Locale.ROOT, " %" + widths[i] + ".4f",
                        pick(r.robustAccuracyByAttack().get(attacks.get(i)), row)));
            }
            sb.append('\n');
        }
        sb.append("* worst class under ").append(r.attack() == null ? "clean evaluation" : r.attack()).append('\n');
        if (r.attacks() != null) {
            for (var e : r.attacks().entrySet()) {
                var a = e.getValue();
                sb.append(String.format(Locale.ROOT, "%s %s: fwd/bwd rows %d/%d, %.1f s%n", e.getKey(), a.settings(),
                        a.forwardRows(), a.backwardRows(), a.seconds()));
            }
        }
        if (r.trainingCost() != null) {
            var t = r.trainingCost();
            sb.append(String.format(Locale.ROOT,
                    "training: %d epochs, %.1f s, attack fwd/bwd rows %d/%d, train fwd/bwd rows %d/%d, dropped %d of %d%n",
                    t.epochs(), t.seconds(), t.attackForwardRows(), t.attackBackwardRows(), t.trainForwardRows(),
                    t.trainBackwardRows(), t.examplesDropped(), t.examplesSeen()));
            if (t.attackSeconds() != null && t.trainSeconds() != null) {
                sb.append(String.format(Locale.ROOT, "training time: attack half %.1f s, training half %.1f s, the rest %.1f s%n",
                        t.attackSeconds(), t.trainSeconds(), t.seconds() - t.attackSeconds() - t.trainSeconds()));
            }
        }
        for (String w : r.warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }
        return sb.toString();
    }

    private static double pick(FairnessMetrics m, String row) {
        return switch (row) {
            case "average" -> m.average();
            case "worst" -> m.worst();
            case "best" -> m.best();
            case "std" -> m.std();
            default -> m.nstd();
        };
    }

}
