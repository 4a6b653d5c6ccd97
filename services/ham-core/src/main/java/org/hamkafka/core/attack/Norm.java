package org.hamkafka.core.attack;

/** The threat model's norm: L∞ (sign steps, box projection) or L2 (normalized steps, ball projection). */
public enum Norm {
    LINF, L2;

    public static Norm parse(String s) {
        switch (s.trim().toLowerCase()) {
            case "linf":
            case "l_inf":
            case "inf":
                return LINF;
            case "l2":
                return L2;
            default:
                throw new IllegalArgumentException("norm must be linf or l2; got '" + s + "'");
        }
    }
}
