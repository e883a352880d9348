package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.experiments.JvmLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** {@code childtune}: the command-line face of the library; each subcommand is a thin shell over core calls. */
@Command(
        name = "childtune",
        mixinStandardHelpOptions = true,
        version = "ChildTune 0.1.0",
        header = "Robust fine-tuning of pretrained language models (ChildTuning) on the JVM.",
        subcommands = {InspectCommand.class, EncodeCommand.class, ConvertCommand.class, TrainCommand.class,
            EvaluateCommand.class, FisherCommand.class, BenchCommand.class, SweepCommand.class, ReportCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the input was rejected (the message says which file or value and why)",
            "2:invalid command line",
            "3:internal error (a bug: please report it)",
            "143:training stopped by SIGTERM or Ctrl-C after saving a checkpoint (continue with --resume)"})
public final class ChildTuneCli implements Runnable {
    static final int INPUT_ERROR = 1;
    static final int INTERNAL_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, also print its stack trace (for bug reports).")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line with ChildTune's error mapping: one line on stderr, a documented exit code. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ChildTuneCli());
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
