package org.hamkafka.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Until 2026-12-04 {@code autoattack-standard} named AutoAttack's APGD part alone (APGD-CE, APGD-T); since then it
 * is the four attacks RobustBench runs and the APGD part is {@code autoattack-apgd}. Reports and model cards written
 * before read back under the APGD part's name, so an old number is never taken for the standard version's.
 * (ham-contracts' {@code Codec} does the same for EvalResult records, which this module does not see.)
 */
final class ApgdPart {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ApgdPart() {
    }

    /**
     * Whether an AutoAttack run's settings are the APGD part's under the standard version's name: no Square queries
     * (today's settings of every preset carry {@code square_queries}, the standard version's above 0).
     */
    static boolean writtenAsStandard(String attack, JsonNode settings) {
        return (attack.equals("autoattack") || attack.startsWith("autoattack-standard"))
                && settings.path("square_queries").asInt(0) <= 0;
    }

    /**
     * A copy of {@code n} with the APGD part under its name: {@code autoattack[-standard]} (as a whole text or
     * object key, stage suffixes such as {@code :apgd-ce} kept) becomes {@code autoattack-apgd}, and a
     * {@code preset} of {@code standard} becomes {@code apgd}.
     */
    static JsonNode renamed(JsonNode n) {
        if (n instanceof ObjectNode o) {
            ObjectNode out = NODES.objectNode();
            o.fields().forEachRemaining(e -> out.set(name(e.getKey()),
                    e.getKey().equals("preset") && "standard".equals(e.getValue().asText())
                            ? NODES.textNode("apgd") : renamed(e.getValue())));
            return out;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = NODES.arrayNode();
            a.forEach(e -> out.add(renamed(e)));
            return out;
        }
        return n.isTextual() ? NODES.textNode(name(n.asText())) : n;
    }

    static String name(String s) {
        if (s.equals("autoattack")) {
            return "autoattack-apgd";
        }
        return s.startsWith("autoattack-standard") ? "autoattack-apgd" + s.substring("autoattack-standard".length()) : s;
    }
}
