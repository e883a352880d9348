package dev.childtune.cli;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.childtune.ChildTuneException;
import dev.childtune.data.TaskData;
import dev.childtune.train.LearningRateSchedule;
import dev.childtune.train.Provenance;
import dev.childtune.train.RunDirectory;
import dev.childtune.train.Trainer;
import dev.childtune.train.TrainingArguments;
import dev.childtune.tuning.FineTuning;
import dev.childtune.tuning.Method;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code childtune train}: fine-tune a model on a task, as Hugging Face's run_glue.py. Every option
 * is checked, and the output folder too, before the data or the model is loaded.
 */
@Command(name = "train", header = "Fine-tune a model on a GLUE task or your own data.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    TaskSetup.Options taskOptions;

    @Mixin
    MethodOptions methodOptions;

    @Mixin
    FisherOptions fisherOptions;

    @Option(names = "--reference-warmup-quirk",
            description = "As the released ChildTuning code: no warm-up for runs with a ChildTuning mask (others keep "
                    + "their warm-up).")
    boolean referenceWarmupQuirk;

    @Option(names = "--freeze-base-model",
            description = "Train only a freshly initialised head on the frozen base model (task transfer's probe; vanilla only).")
    boolean freezeBaseModel;

    @Option(names = {"--learning-rate", "--lr"}, defaultValue = "2e-5", paramLabel = "LR", description = "Peak learning rate.")
    double learningRate;

    @Option(names = {"--epochs", "--num-train-epochs"}, defaultValue = "3", paramLabel = "N", description = "Training epochs.")
    double epochs;

    @Option(names = "--max-steps", defaultValue = "-1", paramLabel = "N",
            description = "Stop after this many optimizer steps (overrides --epochs; -1: off).")
    int maxSteps;

    @Option(names = {"--batch-size", "--per-device-train-batch-size"}, defaultValue = "16", paramLabel = "N",
            description = "Training batch size.")
    int batchSize;

    @Option(names = {"--eval-batch-size", "--per-device-eval-batch-size"}, defaultValue = "64", paramLabel = "N",
            description = "Evaluation batch size.")
    int evalBatchSize;

    @Option(names = "--gradient-accumulation-steps", defaultValue = "1", paramLabel = "N",
            description = "Batches per optimizer step.")
    int gradientAccumulationSteps;

    @Option(names = "--weight-decay", defaultValue = "0.01", paramLabel = "DECAY", description = "Decoupled weight decay.")
    double weightDecay;

    @Option(names = "--adam-beta1", defaultValue = "0.9", paramLabel = "BETA1",
            description = "AdamW's decay rate of the running mean of gradients.")
    double adamBeta1;

    @Option(names = "--adam-beta2", defaultValue = "0.999", paramLabel = "BETA2",
            description = "AdamW's decay rate of the running mean of squared gradients.")
    double adamBeta2;

    @Option(names = "--adam-epsilon", defaultValue = "1e-8", paramLabel = "EPSILON",
            description = "AdamW's term added to the denominator for numerical stability.")
    double adamEpsilon;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", paramLabel = "NORM",
            description = "Global gradient-norm clipping (0: off).")
    double maxGradNorm;

    @Option(names = "--lr-scheduler-type", defaultValue = "linear", paramLabel = "TYPE",
            description = "The learning rate after warm-up: linear (decays to 0), constant or cosine.")
    String lrSchedulerType;

    @Option(names = "--warmup-ratio", defaultValue = "0.0", paramLabel = "RATIO",
            description = "Fraction of the steps of linear warm-up.")
    double warmupRatio;

    @Option(names = "--warmup-steps", defaultValue = "0", paramLabel = "N",
            description = "Warm-up steps (overrides --warmup-ratio).")
    int warmupSteps;

    @Option(names = "--pad-to-max-length", description = "Pad every batch to --max-length (the reference) instead of dynamically.")
    boolean padToMaxLength;

    @Option(names = "--group-by-length", description = "Batch sequences of similar length together.")
    boolean groupByLength;

    @Option(names = "--logging-steps", defaultValue = "50", paramLabel = "N", description = "Log loss and learning rate every N steps.")
    int loggingSteps;

    @Option(names = "--eval-every", defaultValue = "end", paramLabel = "WHEN",
            description = "When to evaluate on the dev split: at the end only (end), after every epoch (epoch), or "
                    + "every N steps (a number).")
    String evalEvery;

    @Option(names = "--save-steps", defaultValue = "0", paramLabel = "N",
            description = "Also checkpoint every N steps (checkpoints are written every epoch).")
    int saveSteps;

    @Option(names = "--early-stopping-patience", defaultValue = "0", paramLabel = "N",
            description = "Stop after N evaluations without improvement (0: off).")
    int earlyStoppingPatience;

    @Option(names = "--skip-nonfinite",
            description = "Skip the update of a step whose gradient holds NaN or infinity (counted in results.json) instead of stopping.")
    boolean skipNonFinite;

    @Option(names = "--output", paramLabel = "DIR",
            description = "The run folder (default: runs/<task>-<method>-seed<seed>). A folder that holds anything "
                    + "needs --resume or --overwrite.")
    Path output;

    @Option(names = "--overwrite",
            description = "Start afresh in an --output folder of an earlier run: its contents are deleted first "
                    + "(only a folder with a run.json, only what is inside it, and only once the data and the "
                    + "model have loaded).")
    boolean overwrite;

    @Option(names = "--resume",
            description = "Continue the run in --output from its latest checkpoint (a folder without a run starts "
                    + "one). Its settings must be those in the folder's run.json; only --logging-steps, "
                    + "--save-steps, --eval-batch-size, --device, the thread count and how --output is spelled "
                    + "may differ.")
    boolean resume;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // Everything the command line decides is checked before the data or the model is loaded.
        String taskName = dataOptions.taskName();
        FineTuning chosen = methodOptions.toFineTuning(taskName, fisherOptions.toOptions());
        if (freezeBaseModel && !chosen.name().equals(Method.VANILLA.cliName())) {
            throw new ChildTuneException(TypedOptions.name(spec, "--freeze-base-model")
                    + " trains only the head: use it with --method vanilla");
        }
        TrainingArguments args = arguments(taskName, chosen);
        RunDirectory run = new RunDirectory(args.outputDir());
        checkOutputFolder(run, args, taskName, chosen);
        Device device = deviceOption.resolve();

        PrintWriter err = spec.commandLine().getErr();
        ProgressBar progress = new ProgressBar(err, System.console() != null);
        try (TaskSetup setup = TaskSetup.load(modelOption, dataOptions, taskOptions, freezeBaseModel, device)) {
            TaskData data = setup.data();
            if (!setup.model().loadReport().summary().isEmpty()) {
                progress.notice(setup.model().loadReport().summary());
            }
            if (overwrite && run.hasContents()) {
                progress.notice("--overwrite: deleting the earlier run in " + run.root());
                run.clear();
            }
            progress.notice(String.format(Locale.ROOT, "fine-tuning %s on %s with %s: %d training and %d dev examples -> %s",
                    modelOption.model, data.task().name(), chosen.name(), data.train().size(), data.dev().size(),
                    args.outputDir()));
            JsonObject provenance = Provenance.collect();
            provenance.addProperty("model", modelOption.model);
            provenance.addProperty("model_source", setup.resolved().source());
            JsonArray commandLine = new JsonArray();
            spec.commandLine().getParseResult().originalArgs().forEach(commandLine::add);
            provenance.add("command_line", commandLine);
            Trainer trainer = new Trainer(setup.model(), setup.tokenizer(), data, args, chosen, progress, provenance);
            Trainer.Result result;
            try (StopSignals signals = StopSignals.install(() -> {
                progress.notice("stop requested: finishing the step and writing a checkpoint (again to quit at once)");
                trainer.requestStop();
            })) {
                try {
                    result = trainer.train(resume);
                } catch (Trainer.Interrupted e) {
                    progress.notice(e.getMessage());
                    return signals.exitStatus();
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s %s = %.4f after %d steps (%.1f s)%n", data.task().name(), result.mainMetric(),
                    result.mainValue(), result.steps(), result.trainSeconds());
            result.metrics().forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %.4f%n", k, v));
            out.printf("run folder: %s (model in %s)%n", args.outputDir(), result.modelFolder());
        }
        return 0;
    }

    /** The run's training arguments; a value out of range is named by the option as typed. */
    private TrainingArguments arguments(String taskName, FineTuning chosen) {
        boolean noWarmup = referenceWarmupQuirk && chosen.child() != Method.VANILLA;
        LearningRateSchedule.Type schedule;
        try {
            schedule = LearningRateSchedule.Type.fromName(lrSchedulerType);
        } catch (ChildTuneException e) {
            throw new ChildTuneException(TypedOptions.name(spec, "--lr-scheduler-type") + ": " + e.getMessage(), e);
        }
        TrainingArguments.Builder b = TrainingArguments.builder()
                .outputDir(output != null ? output
                        : Path.of("runs", taskName + "-" + chosen.name() + "-seed" + taskOptions.seed))
                .learningRate(learningRate).numTrainEpochs(epochs).maxSteps(maxSteps)
                .perDeviceTrainBatchSize(batchSize).perDeviceEvalBatchSize(evalBatchSize)
                .gradientAccumulationSteps(gradientAccumulationSteps).weightDecay(weightDecay)
                .adamBetas(adamBeta1, adamBeta2).adamEpsilon(adamEpsilon).maxGradNorm(maxGradNorm)
                .lrSchedulerType(schedule)
                .warmupRatio(noWarmup ? 0 : warmupRatio).warmupSteps(noWarmup ? 0 : warmupSteps)
                .seed(taskOptions.seed).maxSeqLength(taskOptions.maxLength)
                .padToMaxLength(padToMaxLength).groupByLength(groupByLength).loggingSteps(loggingSteps)
                .saveSteps(saveSteps).earlyStoppingPatience(earlyStoppingPatience).maxTrainSamples(taskOptions.maxTrainSamples)
                .skipNonFinite(skipNonFinite)
                .freezeBaseModel(freezeBaseModel);
        switch (evalEvery) {
            case "end" -> { }
            case "epoch" -> b.evalEachEpoch(true);
            default -> b.evalSteps(evalSteps());
        }
        try {
            return b.build();
        } catch (TrainingArguments.Invalid e) {
            throw new ChildTuneException(e.arguments().stream().map(setting -> TypedOptions.ofSetting(spec, setting))
                    .collect(Collectors.joining(" or ")) + " " + e.problem(), e);
        }
    }

    /** {@code --eval-every N}: N steps, a positive number. */
    private int evalSteps() {
        int steps;
        try {
            steps = Integer.parseInt(evalEvery);
        } catch (NumberFormatException e) {
            steps = 0;
        }
        if (steps <= 0) {
            throw new ChildTuneException(TypedOptions.name(spec, "--eval-every")
                    + ": expected end, epoch or a positive number of steps, got '" + evalEvery + "'");
        }
        return steps;
    }

    /**
     * A folder that holds anything needs {@code --resume} (whose settings must match the folder's
     * run) or {@code --overwrite}: a fresh run must not mix its metrics and checkpoints with an
     * earlier one's, nor a resume continue a run with other settings.
     */
    private void checkOutputFolder(RunDirectory run, TrainingArguments args, String taskName, FineTuning chosen) {
        String outputOption = TypedOptions.name(spec, "--output");
        if (resume && overwrite) {
            throw new ChildTuneException("give --resume or --overwrite, not both: --resume continues the run in "
                    + run.root() + ", --overwrite deletes it");
        }
        if (!resume && !overwrite && run.hasContents()) {
            throw new ChildTuneException(outputOption + " " + run.root() + " is not empty: add --resume to continue "
                    + "the run there, --overwrite to replace it, or choose another folder");
        }
        if (overwrite && run.hasContents() && !run.holdsRun()) {
            throw new ChildTuneException("--overwrite: " + run.root() + " holds no run (it has no "
                    + RunDirectory.RUN_JSON + "); refusing to delete its contents");
        }
        if (!resume) {
            return;
        }
        JsonObject earlier = run.readRunJson().orElse(null);
        if (earlier == null) {
            return;
        }
        List<String> differences = new ArrayList<>();
        describe(differences, TypedOptions.name(spec, "--model"), new JsonPrimitive(modelOption.model),
                earlier.has("provenance") ? earlier.getAsJsonObject("provenance").get("model") : null);
        describe(differences, "--task", new JsonPrimitive(taskName), earlier.get("task"));
        boolean sameMethod = describe(differences, "--method", new JsonPrimitive(chosen.name()), earlier.get("method"));
        if (sameMethod && earlier.has("method_options")) {
            for (var change : TrainingArguments.Change.between(chosen.options(), earlier.getAsJsonObject("method_options"),
                    Set.of())) {
                differences.add(difference(TypedOptions.ofSetting(spec, change.name()), change.now(), change.before()));
            }
        }
        if (earlier.has("arguments")) {
            for (var change : args.changesFrom(earlier.getAsJsonObject("arguments"))) {
                differences.add(difference(TypedOptions.ofSetting(spec, change.name()), change.now(), change.before()));
            }
        }
        if (!differences.isEmpty()) {
            throw new ChildTuneException(TypedOptions.name(spec, "--resume") + ": these settings differ from the run in "
                    + run.root() + " (" + RunDirectory.RUN_JSON + "): " + String.join(", ", differences)
                    + "; resume with the run's settings, or start afresh with --overwrite or another " + outputOption);
        }
    }

    /**
     * Adds "NAME NOW (was BEFORE)" when an earlier run recorded a different value.
     *
     * @return whether the values agree (or the earlier run did not record one)
     */
    private static boolean describe(List<String> differences, String name, JsonElement now, JsonElement before) {
        if (before == null || before.equals(now)) {
            return true;
        }
        differences.add(difference(name, now, before));
        return false;
    }

    private static String difference(String name, JsonElement now, JsonElement before) {
        return name + " " + text(now) + " (was " + text(before) + ")";
    }

    /** A value as the user would type it; "unset" for none. */
    private static String text(JsonElement value) {
        return value == null || value.isJsonNull() ? "unset" : value.isJsonPrimitive() ? value.getAsString() : value.toString();
    }
}
