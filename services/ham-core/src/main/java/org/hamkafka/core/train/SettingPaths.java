package org.hamkafka.core.train;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every leaf setting of a {@link TrainConfig} by its path of record components ({@code "ham.weighting"}), with
 * its value: what a boundary declares it carries or leaves out ({@code ContractMapping.CARRIED_TO_ATTACK},
 * {@code Report.NOT_IN_REPORT}, {@code ModelCard.ON_CARD}), so that its test fails for a setting added later and
 * classified nowhere.
 */
public final class SettingPaths {
    private SettingPaths() {
    }

    public static Map<String, Object> of(TrainConfig cfg) {
        return leaves(cfg, "");
    }

    private static Map<String, Object> leaves(Object record, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading " + prefix + c.getName(), e);
            }
            String path = prefix + c.getName();
            if (c.getType().isRecord()) {
                out.putAll(leaves(value, path + "."));
            } else {
                out.put(path, value);
            }
        }
        return out;
    }
}
