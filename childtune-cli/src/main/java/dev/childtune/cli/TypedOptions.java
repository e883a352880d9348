package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options named in messages as the user typed them: {@code --epochs} for one who typed
 * {@code --epochs}, {@code --num-train-epochs} for one who typed that alias, never a field or
 * library name the user did not write.
 */
final class TypedOptions {
    private TypedOptions() {}

    /** The name of {@code option} as typed in {@code args} (the last alias used), else its first long name. */
    static String name(OptionSpec option, List<String> args) {
        String typed = null;
        for (String arg : args) {
            for (String name : option.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=")) {
                    typed = name;
                }
            }
        }
        if (typed != null) {
            return typed;
        }
        for (String name : option.names()) {
            if (name.startsWith("--")) {
                return name;
            }
        }
        return option.longestName();
    }

    /** The option of the command that has {@code anyName} among its names, as typed on its command line. */
    static String name(CommandSpec command, String anyName) {
        OptionSpec option = command.findOption(anyName);
        if (option == null) {
            throw new IllegalArgumentException(command.qualifiedName() + " has no option " + anyName);
        }
        return name(option, command.commandLine().getParseResult().originalArgs());
    }

    /**
     * The option that sets a library setting given by its snake_case name (Hugging Face's
     * {@code num_train_epochs}: {@code --num-train-epochs}, an alias of {@code --epochs}), as typed;
     * the setting's own name when no option of the command has that name.
     */
    static String ofSetting(CommandSpec command, String setting) {
        String option = "--" + setting.replace('_', '-');
        return command.findOption(option) == null ? setting : name(command, option);
    }

    /** {@code value}, or an error naming the option as typed when it is not positive. */
    static int requirePositive(CommandSpec command, String option, int value) {
        if (value <= 0) {
            throw new ChildTuneException(name(command, option) + " must be positive, got " + value);
        }
        return value;
    }
}
