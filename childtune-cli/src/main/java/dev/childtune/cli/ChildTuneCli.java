package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.ChildTuneVersion;
import dev.childtune.experiments.JvmLauncher;
import java.io.PrintWriter;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code childtune}: the command-line face of the library; each subcommand is a thin shell over core calls.
 * Every command inherits the help style set here ({@code scope = INHERIT}): options in declaration
 * order (shared options come from the same mixins, so they read in the same order everywhere) and
 * each default printed once, by picocli, after the description.
 */
@Command(
        name = "childtune",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = ChildTuneCli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        header = "Robust fine-tuning of pretrained language models (ChildTuning) on the JVM.",
        subcommands = {InspectCommand.class, EncodeCommand.class, ConvertCommand.class, TrainCommand.class,
            EvaluateCommand.class, FisherCommand.class, BenchCommand.class, SweepCommand.class, ReportCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:an input or a value was rejected (the message says which file or option and why)",
            "2:invalid command line: an unknown option, a value of the wrong type, a missing required option",
            "3:internal error (a bug: please report it)",
            "130:training stopped by Ctrl-C (SIGINT) after saving a checkpoint (continue with --resume)",
            "143:training stopped by SIGTERM after saving a checkpoint (continue with --resume)"})
public final class ChildTuneCli implements Runnable {
    static final int INPUT_ERROR = 1;
    static final int INTERNAL_ERROR = 3;
    /** The name of the subcommand that prints the bash/zsh completion script. */
    static final String COMPLETION = "completion";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, also print its stack trace (for bug reports).")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code --version}: ChildTune's version and the commit it was built from. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            // picocli expands ${...} in what it prints; a build without resource filtering leaves such placeholders
            return new String[] {ChildTuneVersion.describe().replace("${", "$${")};
        }
    }

    /** The command line with ChildTune's error mapping: one line on stderr, a documented exit code. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ChildTuneCli());
        CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
        completion.getCommandSpec().name(COMPLETION).usageMessage().hidden(false)
                .header("Print a bash/zsh script that completes childtune's commands and options on TAB.")
                .description("For the current shell: source <(childtune completion)",
                        "For every new shell: childtune completion > ~/.childtune_completion, and add "
                                + "'source ~/.childtune_completion' to ~/.bashrc (or ~/.zshrc).");
        cli.addSubcommand(COMPLETION, completion);
        cli.setParameterExceptionHandler(ChildTuneCli::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ChildTuneException) {
                commandLine.getErr().println("childtune: error: " + e.getMessage());
                if (debug(parseResult)) {
                    e.printStackTrace(commandLine.getErr());
                }
                return INPUT_ERROR;
            }
            commandLine.getErr().println("childtune: internal error: " + e);
            e.printStackTrace(commandLine.getErr());
            return INTERNAL_ERROR;
        });
        return cli;
    }

    /**
     * A command line picocli cannot parse: one error line naming the options as typed, one line
     * pointing to the help of the (sub)command used, exit code 2; not the whole usage text.
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("childtune: error: " + usageErrorMessage(e, List.of(args)));
        err.println("see '" + command.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Picocli's message on one line, with the option named as typed (picocli names an option by its longest alias). */
    static String usageErrorMessage(ParameterException e, List<String> args) {
        String message = e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        if (e.getArgSpec() instanceof OptionSpec option) {
            message = message.replace("'" + option.longestName() + "'", "'" + TypedOptions.name(option, args) + "'");
        }
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            message += "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
        }
        return message;
    }

    /** Whether {@code --debug} was given, before or after the subcommand. */
    private static boolean debug(ParseResult parseResult) {
        for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    public static void main(String[] args) {
        // DJL would otherwise query the EC2 metadata service when a tokenizer loads (usage tracking).
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        if (Boolean.getBoolean(JvmLauncher.EXIT_WITH_PARENT)) {
            // a sweep's trial: when the sweep dies (even by SIGKILL), so does its trial
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(137)));
        }
        System.exit(commandLine().execute(args));
    }
}
