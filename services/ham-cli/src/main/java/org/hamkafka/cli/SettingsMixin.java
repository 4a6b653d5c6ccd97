package org.hamkafka.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.hamkafka.core.train.PartialConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The job settings a command takes, as options (a picocli mixin). The command names the {@link PartialConfig}
 * fields it takes and its own defaults; {@link SettingOptions} makes the options from the fields (name, type,
 * help), so no setting option is declared twice:
 *
 * <pre>{@code
 * @Mixin
 * SettingsMixin settings = SettingsMixin.of("model", "trainSubset").defaults(p -> p.model = "smallcnn");
 * ...
 * settings.values().model
 * }</pre>
 */
@Command(modelTransformer = SettingsMixin.Options.class)
public final class SettingsMixin {
    private final List<String> names;
    private final PartialConfig values = new PartialConfig();
    private final Map<String, String> notes = new LinkedHashMap<>();

    private SettingsMixin(List<String> names) {
        this.names = List.copyOf(names);
    }

    /** The settings, by {@link PartialConfig} field name, in the order the help lists them. */
    public static SettingsMixin of(String... names) {
        return new SettingsMixin(List.of(names));
    }

    /** This command's defaults: the fields set here; the others stay null (the data set's default). */
    public SettingsMixin defaults(Consumer<PartialConfig> set) {
        set.accept(values);
        return this;
    }

    /** A command's own words after a setting's help (e.g. what a special value means to it). */
    public SettingsMixin note(String name, String text) {
        notes.put(name, text);
        return this;
    }

    /** Writes the settings that have a value into {@code p} (a configuration being built); leaves the others. */
    public void applyTo(PartialConfig p) {
        for (java.lang.reflect.Field f : PartialConfig.fields()) {
            try {
                Object v = f.get(values);
                if (v != null && names.contains(f.getName())) {
                    f.set(p, v);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The values: given on the command line, else this command's default, else null. */
    public PartialConfig values() {
        return values;
    }

    /** Makes the options of each settings mixin (also inside another mixin) when picocli builds the command. */
    public static final class Options implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            addFrom(command, command);
            return command;
        }

        private static void addFrom(CommandSpec spec, CommandSpec command) {
            for (CommandSpec mixin : spec.mixins().values()) {
                if (mixin.userObject() instanceof SettingsMixin m
                        && command.findOption(PartialConfig.option(m.names.get(0))) == null) {
                    SettingOptions.addTo(command, m.values, m.names, m.notes);
                }
                addFrom(mixin, command);
            }
        }
    }
}
