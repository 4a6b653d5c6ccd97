package org.hamkafka.bench;

import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;

import java.util.List;

/**
 * One column of the results table: a training method and, for HAM, the weighting switch.
 * Labels: standard, pgd-at, trades, fast-at, ham (weighted), ham-uniform, ham-trades (weighted HAM on TRADES),
 * ham-trades-uniform, frl, wat (the robust-fairness methods, on TRADES).
 */
public record Variant(String label, String method, boolean weighting) {
    public static final List<Variant> ALL = List.of(
            new Variant("standard", "standard", true),
            new Variant("pgd-at", "pgd-at", true),
            new Variant("trades", "trades", true),
            new Variant("fast-at", "fast-at", true),
            new Variant("ham", "ham", true),
            new Variant("ham-uniform", "ham", false),
            new Variant("ham-trades", "ham-trades", true),
            new Variant("ham-trades-uniform", "ham-trades", false),
            new Variant("frl", "frl", true),
            new Variant("wat", "wat", true));

    public static Variant parse(String label) {
        for (Variant v : ALL) {
            if (v.label.equals(label.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("method must be one of " + String.join(", ",
                ALL.stream().map(Variant::label).toList()) + "; got '" + label + "'");
    }

    /** The label of a finished run's settings. */
    public static String labelOf(PartialConfig settings) {
        return TrainConfig.HAM_METHODS.contains(settings.method) && Boolean.FALSE.equals(settings.weighting)
                ? settings.method + "-uniform" : settings.method;
    }

    public TrainConfig apply(TrainConfig base) {
        return base.with(p -> {
            p.method = method;
            p.weighting = weighting;
        });
    }
}
