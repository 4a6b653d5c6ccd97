package org.hamkafka.cli;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.train.PartialConfig;
import org.hamkafka.core.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The job settings as command-line options, made from {@link PartialConfig}'s fields (not declared
 * again here): {@code dropStep} is {@code --drop-step}, its help is the field's description plus the
 * defaults that apply. A setting left out stays null and takes the data set's default.
 */
public final class SettingOptions {
    private SettingOptions() {
    }

    /** Adds one option per setting (the distributed-only ones excepted) to a command. */
    public static void addTo(CommandSpec command) {
        Map<String, PartialConfig> defaults = dataSetDefaults();
        for (Field f : cliFields()) {
            command.addOption(builder(f, description(f, defaults)).build());
        }
        List<String> footer = new ArrayList<>(List.of("", "Files each --dataset needs in its folder (--data-dir, "
                + "default $HAM_DATA_DIR/<dataset>, else /usr/share/datasets/<dataset>; for a data set of your own, "
                + "<kind>:<name>, the folder <name>):"));
        for (String d : Datasets.NAMES) {
            footer.add("  " + d + ": " + String.join(", ", Datasets.expectedFiles(d)));
        }
        for (String kind : List.of(Datasets.IMAGE_FOLDER, Datasets.IDX)) {
            footer.add("  " + kind + ":<name>: " + String.join(", ", Datasets.expectedFilesOfKind(kind)));
        }
        command.usageMessage().footer(footer.toArray(String[]::new));
    }

    /** The settings given on the command line (the others null). */
    public static PartialConfig read(CommandSpec command) {
        PartialConfig p = new PartialConfig();
        for (Field f : cliFields()) {
            OptionSpec o = command.findOption(PartialConfig.option(f.getName()));
            Object v = o.getValue();
            if (v != null && command.commandLine().getParseResult().hasMatchedOption(o)) {
                try {
                    f.set(p, v);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return p;
    }

    /**
     * Adds the named settings ({@link PartialConfig}'s field names) as options bound to {@code into}: a value given
     * is written to its field. A field already set in {@code into} is the command's default (the help shows it);
     * one left null shows the data sets' defaults. {@code notes} add a command's own words to a setting's help.
     */
    public static void addTo(CommandSpec command, PartialConfig into, List<String> names, Map<String, String> notes) {
        Map<String, PartialConfig> defaults = dataSetDefaults();
        for (String name : names) {
            Field f = field(name);
            Object initial = get(f, into);
            String help = initial == null ? description(f, defaults) : description(f) + " (default: " + show(initial) + ")";
            if (notes.containsKey(name)) {
                help += "; " + notes.get(name);
            }
            OptionSpec.Builder o = builder(f, help);
            if (initial != null) {
                o.defaultValue(show(initial));
                if (f.getType() == Boolean.class) {
                    // without it picocli turns a negatable option defaulting to true around (--weighting = false)
                    o.fallbackValue("true");
                }
            }
            o.getter(new CommandLine.Model.IGetter() {
                @Override
                @SuppressWarnings("unchecked")
                public <T> T get() {
                    return (T) SettingOptions.get(f, into);
                }
            }).setter(new CommandLine.Model.ISetter() {
                @Override
                public <T> T set(T value) {
                    Object old = SettingOptions.get(f, into);
                    try {
                        f.set(into, value);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                    @SuppressWarnings("unchecked")
                    T t = (T) old;
                    return t;
                }
            });
            command.addOption(o.build());
        }
    }

    private static OptionSpec.Builder builder(Field f, String description) {
        OptionSpec.Builder o = OptionSpec.builder(PartialConfig.option(f.getName()))
                .description(description)
                .paramLabel("<" + PartialConfig.publicName(f.getName()) + ">");
        if (f.getType() == Boolean.class) {
            o.type(Boolean.class).arity("0..1").negatable(true);
        } else if (f.getType() == List.class) {
            Class<?> element = (Class<?>) ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0];
            o.type(List.class).auxiliaryTypes(element).splitRegex(",");
        } else {
            o.type(f.getType());
        }
        return o;
    }

    private static Map<String, PartialConfig> dataSetDefaults() {
        Map<String, PartialConfig> defaults = new LinkedHashMap<>();
        for (String d : TrainConfig.DATASETS) {
            defaults.put(d, PartialConfig.of(TrainConfig.defaults(d)));
        }
        return defaults;
    }

    private static Field field(String name) {
        for (Field f : PartialConfig.fields()) {
            if (f.getName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no setting named " + name + " in PartialConfig");
    }

    private static Object get(Field f, PartialConfig p) {
        try {
            return f.get(p);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String description(Field f) {
        JsonPropertyDescription d = f.getAnnotation(JsonPropertyDescription.class);
        return d == null ? "" : d.value();
    }

    private static List<Field> cliFields() {
        List<Field> out = new ArrayList<>();
        for (Field f : PartialConfig.fields()) {
            if (!PartialConfig.DISTRIBUTED_ONLY.contains(f.getName())) {
                out.add(f);
            }
        }
        return out;
    }

    /** The field's description and its defaults, per data set where they differ. */
    private static String description(Field f, Map<String, PartialConfig> defaults) {
        String text = description(f);
        Map<String, List<String>> byValue = new LinkedHashMap<>();
        for (var e : defaults.entrySet()) {
            Object v;
            try {
                v = f.get(e.getValue());
            } catch (IllegalAccessException ex) {
                throw new IllegalStateException(ex);
            }
            byValue.computeIfAbsent(show(v), k -> new ArrayList<>()).add(e.getKey());
        }
        if (f.getName().equals("dataset")) {
            return text + " (default: fashion-mnist)";
        }
        if (byValue.size() == 1) {
            return text + " (default: " + byValue.keySet().iterator().next() + ")";
        }
        List<String> parts = new ArrayList<>();
        byValue.forEach((v, sets) -> parts.add(String.join("/", sets) + " " + v));
        return text + " (default: " + String.join("; ", parts) + ")";
    }

    private static String show(Object v) {
        if (v instanceof List<?> l) {
            return String.join(",", l.stream().map(Objects::toString).toList());
        }
        if (v instanceof Float x) {
            return Float.toString(x).replaceAll("\\.0$", "");
        }
        return v == null ? "none" : v.toString();
    }
}
