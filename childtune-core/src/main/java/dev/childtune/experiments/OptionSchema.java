package dev.childtune.experiments;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code childtune train} a sweep file may set, by every name they go by
 * ({@code lr} and {@code learning-rate}; {@code learning_rate} is read as {@code learning-rate}),
 * split into the options that say where a task's data is and the training settings. The CLI
 * derives it from the train command itself, so the two never disagree.
 *
 * @param data the data options ({@code data}, {@code train-file}, {@code labels}, ...)
 * @param training every other training option, less those the sweep sets itself ({@link #CONTROLLED})
 */
public record OptionSchema(Map<String, Option> data, Map<String, Option> training) {
    /** Options every trial gets from the sweep (its model, method, seed, folder), never from the file. */
    public static final Set<String> CONTROLLED = Set.of("model", "method", "seed", "output", "resume",
            "max-train-samples", "freeze-base-model", "mask", "task");

    public enum ValueType { INTEGER, NUMBER, BOOLEAN, TEXT, PATH, TEXT_LIST }

    /** @param name the name passed on the command line (without {@code --}) */
    public record Option(String name, ValueType type) {}

    public OptionSchema {
        data = Map.copyOf(data);
        training = Map.copyOf(training);
    }

    /** The key as the schema spells it: lower case, {@code _} read as {@code -}. */
    static String normalize(String key) {
        return key.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    /**
     * The value of {@code option} as it goes into a trial's configuration: a Long, Double, Boolean
     * or String (paths absolute and normalized against {@code baseDir}), or a list of Strings.
     */
    static Object value(Option option, ConfigNode node, Path baseDir) {
        return switch (option.type()) {
            case INTEGER -> node.integer();
            case NUMBER -> node.number();
            case BOOLEAN -> node.bool();
            case TEXT -> node.text();
            case PATH -> baseDir.resolve(node.text()).toAbsolutePath().normalize().toString();
            case TEXT_LIST -> {
                List<String> items = new ArrayList<>();
                node.listOrScalar().forEach(item -> items.add(item.text()));
                yield List.copyOf(items);
            }
        };
    }
}
