package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How the command line behaves as a command line: usage errors in two lines with exit code 2,
 * values checked (and named as typed) before anything loads, help text conventions, completion
 * and version.
 */
class CommandLineConventionsTest {
    @TempDir
    Path tmp;

    /** Exactly "childtune: error: MESSAGE" and "see 'childtune SUBCOMMAND --help'" on stderr, exit code 2. */
    private static void assertUsageError(CliRun r, String message, String command) {
        assertEquals(2, r.exitCode(), r.err());
        assertEquals(List.of("childtune: error: " + message, "see '" + command + " --help'"), r.err().lines().toList());
        assertEquals("", r.out());
    }

    @Test
    void usageErrorsAreTwoLinesNamingTheOptionAsTyped() {
        assertUsageError(CliRun.of("train", "--epochs", "three"),
                "Invalid value for option '--epochs': 'three' is not a double", "childtune train");
        assertUsageError(CliRun.of("train", "--num-train-epochs=three"),
                "Invalid value for option '--num-train-epochs': 'three' is not a double", "childtune train");
        assertUsageError(CliRun.of("train", "--epoch", "3"),
                "Unknown options: '--epoch', '3'; did you mean --epochs?", "childtune train");
        assertUsageError(CliRun.of("encode", "--text", "hi", "--bogus"), "Unknown option: '--bogus'", "childtune encode");
        assertUsageError(CliRun.of("sweep"), "Missing required option: '--config=FILE'", "childtune sweep");
        assertUsageError(CliRun.of("--bogus"), "Unknown option: '--bogus'", "childtune");
    }

    /** Bad values of every kind, each refused by name with a model and data that do not exist: nothing is loaded. */
    @Test
    void badValuesAreRejectedByTheirTypedNameBeforeAnythingLoads() {
        Path missing = tmp.resolve("no-such-file.csv");
        Path run = tmp.resolve("run");
        String[][] cases = {
            {"--lr-scheduler-type", "bogus",
                "--lr-scheduler-type: unknown learning-rate schedule 'bogus' (expected linear, constant or cosine)"},
            {"--epochs", "0", "--epochs or --max-steps must be positive"},
            {"--num-train-epochs", "0", "--num-train-epochs or --max-steps must be positive"},
            {"--lr", "-1", "--lr must be positive, got -1.0"},
            {"--gradient-accumulation-steps", "0", "--gradient-accumulation-steps must be positive, got 0"},
            {"--max-seq-length", "1", "--max-seq-length must be at least 2, got 1"},
            {"--warmup-ratio", "1.5", "--warmup-ratio must be in [0, 1), got 1.5"},
            {"--eval-every", "often", "--eval-every: expected end, epoch or a positive number of steps, got 'often'"},
            {"--fisher-samples", "-3", "--fisher-samples: expected 0 or more, got -3"},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of("train", "--model", tmp.resolve("no-such-model").toString(), "--train-file",
                    missing.toString(), "--validation-file", missing.toString(), "--output", run.toString(), c[0], c[1]);
            assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode(), r.err());
            assertEquals(List.of("childtune: error: " + c[2]), r.err().lines().toList());
            assertFalse(Files.exists(run), "no run folder for " + c[0]);
        }
        CliRun evaluate = CliRun.of("evaluate", "--model", tmp.resolve("no-such-model").toString(), "--train-file",
                missing.toString(), "--validation-file", missing.toString(), "--per-device-eval-batch-size", "0");
        assertEquals(List.of("childtune: error: --per-device-eval-batch-size must be positive, got 0"),
                evaluate.err().lines().toList());
    }

    @Test
    void evaluateNeedsTheModelToScore() {
        assertUsageError(CliRun.of("evaluate", "--task", "rte"), "Missing required option: '--model=MODEL'",
                "childtune evaluate");
        OptionSpec model = ChildTuneCli.commandLine().getSubcommands().get("evaluate").getCommandSpec().findOption("--model");
        assertTrue(String.join(" ", model.description()).contains("untrained classification head"));
    }

    private static List<CommandSpec> allCommands() {
        List<CommandSpec> commands = new ArrayList<>();
        CommandLine root = ChildTuneCli.commandLine();
        commands.add(root.getCommandSpec());
        root.getSubcommands().values().forEach(c -> commands.add(c.getCommandSpec()));
        return commands;
    }

    private static final Pattern LABEL = Pattern.compile("[A-Z][A-Z0-9_]*(=[A-Z][A-Z0-9_]*)?");
    private static final Pattern WRITTEN_DEFAULT = Pattern.compile("\\(default[:;]|default: ", Pattern.CASE_INSENSITIVE);

    @Test
    void everyOptionIsDescribedWithAWordLabelAndItsDefaultOnce() {
        for (CommandSpec command : allCommands()) {
            assertTrue(command.usageMessage().showDefaultValues(), command.qualifiedName());
            assertFalse(command.usageMessage().sortOptions(), command.qualifiedName());
            for (OptionSpec option : command.options()) {
                String where = command.qualifiedName() + " " + option.longestName();
                String description = String.join(" ", option.description()).strip();
                assertFalse(description.isEmpty(), where + " has no description");
                if (option.arity().max() > 0) {
                    assertTrue(LABEL.matcher(option.paramLabel()).matches(),
                            where + ": the value label " + option.paramLabel() + " is not an upper-case word");
                }
                Matcher written = WRITTEN_DEFAULT.matcher(description);
                int writtenDefaults = 0;
                while (written.find()) {
                    writtenDefaults++;
                }
                boolean picocliShowsDefault = option.defaultValue() != null && option.arity().max() > 0;
                assertTrue(writtenDefaults + (picocliShowsDefault ? 1 : 0) <= 1,
                        where + " states its default more than once: " + description);
            }
        }
        String help = CliRun.of("train", "--help").out();
        for (String option : List.of("--adam-beta1=BETA1", "--adam-beta2=BETA2", "--adam-epsilon=EPSILON",
                "--gradient-accumulation-steps=N")) {
            assertTrue(help.contains(option), option + " in\n" + help);
        }
        assertEquals(1, help.split("Default: 0.999", -1).length - 1, help);
    }

    /** Options two commands share appear in the same order in both (help options, picocli's own, aside). */
    @Test
    void sharedOptionsAreListedInTheSameOrderEverywhere() {
        List<CommandSpec> commands = allCommands();
        for (CommandSpec a : commands) {
            for (CommandSpec b : commands) {
                List<String> inA = names(a);
                List<String> inB = names(b);
                List<String> shared = inA.stream().filter(inB::contains).toList();
                assertEquals(shared, inB.stream().filter(inA::contains).toList(),
                        a.qualifiedName() + " and " + b.qualifiedName() + " list their shared options in another order");
            }
        }
    }

    private static List<String> names(CommandSpec command) {
        return command.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp()).map(OptionSpec::longestName)
                .toList();
    }

    @Test
    void completionPrintsABashScriptForEveryCommand() {
        CliRun r = CliRun.of("completion");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out().lines().findFirst().orElse(""));
        for (String command : List.of("train", "evaluate", "fisher", "sweep", "report", "completion")) {
            assertTrue(r.out().contains(command), command);
        }
        assertTrue(r.out().contains("--lr-scheduler-type"), "the options of the commands");
        assertTrue(CliRun.of("--help").out().contains("completion"), "listed in the help");
    }

    @Test
    void versionNamesChildTuneAndItsCommit() {
        for (String[] args : new String[][] {{"--version"}, {"train", "--version"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(1, r.out().lines().count(), r.out());
            assertTrue(r.out().startsWith("ChildTune "), r.out());
            assertTrue(r.out().strip().matches("ChildTune \\S+ \\(commit ([0-9a-f]{12}.*|unknown)\\)"), r.out());
        }
    }

    @Test
    void exitCodesOfSignalsAreDocumented() {
        String help = CliRun.of("--help").out();
        for (int code : new int[] {StopSignals.EXIT_INTERRUPTED, StopSignals.EXIT_TERMINATED}) {
            assertTrue(help.lines().anyMatch(l -> l.strip().startsWith(code + " ")), code + " in\n" + help);
        }
        assertTrue(help.toLowerCase(Locale.ROOT).contains("ctrl-c"), help);
    }
}
