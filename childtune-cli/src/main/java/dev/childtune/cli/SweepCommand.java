package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.experiments.Evaluation;
import dev.childtune.experiments.JvmLauncher;
import dev.childtune.experiments.OptionSchema;
import dev.childtune.experiments.ResultsDb;
import dev.childtune.experiments.Sweep;
import dev.childtune.experiments.SweepConfig;
import dev.childtune.experiments.Trial;
import dev.childtune.experiments.TrialRunner;
import dev.childtune.experiments.Worker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune sweep}: run every trial of a sweep file, each in its own JVM, into the results database. */
@Command(name = "sweep", header = "Run a sweep (models × tasks × methods × grids × seeds) into a results database; re-running resumes.")
final class SweepCommand implements Callable<Integer> {
    /**
     * A system property naming the class whose {@code main} runs each trial command in its JVM
     * (default: {@link ChildTuneCli}); tests set it to a fake trial, e.g. to kill a sweep mid-trial.
     */
    static final String TRIAL_MAIN_PROPERTY = "childtune.sweep.trial-main";

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The sweep file (YAML; see examples/).")
    Path config;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--runs", defaultValue = "runs", paramLabel = "DIR",
            description = "Trial folders go to DIR/<sweep name>/<trial>.")
    Path runs;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N", description = "Trials run at once.")
    int parallel;

    @Option(names = "--threads-per-trial", paramLabel = "N",
            description = "CPU threads of each trial (default: the machine's cores divided by --parallel).")
    Integer threadsPerTrial;

    @Option(names = "--java-options", paramLabel = "OPTS", split = " ",
            description = "JVM options of each trial's process, e.g. \"-Xmx4g\".")
    List<String> javaOptions = List.of();

    @Option(names = "--dry-run", description = "List the trials and their status without running them.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        SweepConfig sweepConfig = SweepConfig.read(config, trainOptionSchema());
        List<Trial> trials = sweepConfig.trials();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        List<String> missingData = sweepConfig.tasks().stream()
                .flatMap(task -> task.missingData(System.getenv()).stream()).toList();
        ResultsDb db = ResultsDb.open(database.jdbcUrl());
        if (dryRun) {
            Map<String, String> statuses = db.statuses(trials.stream().map(Trial::hash).toList());
            for (Trial trial : trials) {
                out.printf("%-8s %s  %s  %s%n", statuses.getOrDefault(trial.hash(), "new"), trial.id(), trial.study(),
                        trial.grid());
            }
            out.printf("%d trials%n", trials.size());
            missingData.forEach(problem -> err.println("childtune: error: " + config + ": " + problem));
            return missingData.isEmpty() ? 0 : ChildTuneCli.INPUT_ERROR;
        }
        if (!missingData.isEmpty()) {
            throw new ChildTuneException(config + ": " + String.join("; ", missingData));
        }
        int threads = threadsPerTrial != null ? threadsPerTrial
                : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, parallel));
        TrialRunner runner = new TrialRunner(JvmLauncher.sameJvm(
                System.getProperty(TRIAL_MAIN_PROPERTY, ChildTuneCli.class.getName()), javaOptions));
        Sweep sweep = new Sweep(db, runner, parallel, threads, Worker.current(), new ProgressLines(err));
        Thread hook = new Thread(() -> {
            err.println("sweep: stopping; running trials are handed back and will run again next time");
            err.flush();
            sweep.stop();
        }, "sweep-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Sweep.Summary summary;
        try {
            summary = sweep.run(sweepConfig.name(), trials, runs);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running
            }
        }
        out.printf(Locale.ROOT, "sweep %s: %d of %d trials done, %d failed%s; results in %s%n", sweepConfig.name(),
                summary.done(), summary.total(), summary.failed(),
                summary.elsewhere() > 0 ? ", " + summary.elsewhere() + " running in another sweep" : "", db.url());
        return summary.failed() > 0 ? ChildTuneCli.INPUT_ERROR : 0;
    }

    /** The train command's options as a sweep file may use them: data options apart from training settings. */
    static OptionSchema trainOptionSchema() {
        CommandSpec train = CommandSpec.forAnnotatedObject(new TrainCommand());
        CommandSpec data = CommandSpec.forAnnotatedObject(new DataOptions());
        Map<String, OptionSchema.Option> dataOptions = new HashMap<>();
        Map<String, OptionSchema.Option> training = new HashMap<>();
        for (OptionSpec option : train.options()) {
            OptionSchema.ValueType type = valueType(option.type());
            if (option.usageHelp() || option.versionHelp() || type == null) {
                continue;
            }
            boolean isData = data.findOption(option.longestName()) != null;
            String name = option.longestName().replaceFirst("^--?", "");
            if (!isData && OptionSchema.CONTROLLED.contains(name)) {
                continue;
            }
            for (String alias : option.names()) {
                if (alias.startsWith("--")) {
                    (isData ? dataOptions : training).put(alias.substring(2), new OptionSchema.Option(name, type));
                }
            }
        }
        return new OptionSchema(dataOptions, training);
    }

    private static OptionSchema.ValueType valueType(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return OptionSchema.ValueType.INTEGER;
        }
        if (type == double.class || type == Double.class) {
            return OptionSchema.ValueType.NUMBER;
        }
        if (type == boolean.class || type == Boolean.class) {
            return OptionSchema.ValueType.BOOLEAN;
        }
        if (type == Path.class) {
            return OptionSchema.ValueType.PATH;
        }
        if (type == String.class) {
            return OptionSchema.ValueType.TEXT;
        }
        return List.class.isAssignableFrom(type) ? OptionSchema.ValueType.TEXT_LIST : null;
    }

    /** One line per trial started or finished: done / failed / left, ETA. */
    private record ProgressLines(PrintWriter err) implements Sweep.Listener {
        @Override
        public void started(int total, int alreadyDone, int parallel, int threadsPerTrial) {
            err.printf(Locale.ROOT, "sweep: %d trials, %d already done; %d at a time, %d thread%s each%n", total,
                    alreadyDone, parallel, threadsPerTrial, threadsPerTrial == 1 ? "" : "s");
            err.flush();
        }

        @Override
        public void trialStarted(ResultsDb.Claim claim, Sweep.Progress progress) {
            err.printf(Locale.ROOT, "%s  started %s%s%n", status(progress), claim.trial().id(),
                    claim.attempt() > 1 ? " (attempt " + claim.attempt() + ")" : "");
            err.flush();
        }

        @Override
        public void trialFinished(ResultsDb.Claim claim, List<Evaluation> evaluations, String error, double seconds,
                Sweep.Progress progress) {
            String outcome = evaluations == null ? "FAILED: " + error
                    : evaluations.stream().map(e -> String.format(Locale.ROOT, "%s %s %.4f", e.name(), e.mainMetric(),
                            e.main())).collect(Collectors.joining(", "));
            err.printf(Locale.ROOT, "%s  finished %s in %s: %s%n", status(progress), claim.trial().id(),
                    ProgressBar.duration(seconds), outcome);
            err.flush();
        }

        private static String status(Sweep.Progress p) {
            return String.format(Locale.ROOT, "[%d/%d done, %d failed, %d left, %d running, ETA %s]", p.done(), p.total(),
                    p.failed(), p.left(), p.running(), ProgressBar.duration(p.etaSeconds()));
        }
    }
}
