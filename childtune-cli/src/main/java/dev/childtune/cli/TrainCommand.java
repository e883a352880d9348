package dev.childtune.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.data.TaskData;
import dev.childtune.train.LearningRateSchedule;
import dev.childtune.train.Provenance;
import dev.childtune.train.Trainer;
import dev.childtune.train.TrainingArguments;
import dev.childtune.tuning.FineTuning;
import dev.childtune.tuning.Method;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune train}: fine-tune a model on a task, as Hugging Face's run_glue.py. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        header = "Fine-tune a model on a GLUE task or your own data.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    TaskSetup.Options taskOptions;

    @Mixin
    FisherOptions fisherOptions;

    @Mixin
    MethodOptions methodOptions;

    @Option(names = "--reference-warmup-quirk",
            description = "As the released ChildTuning code: no warm-up for runs with a ChildTuning mask (others keep "
                    + "their warm-up).")
    boolean referenceWarmupQuirk;

    @Option(names = "--freeze-base-model",
            description = "Train only a freshly initialised head on the frozen base model (task transfer's probe; vanilla only).")
    boolean freezeBaseModel;

    @Option(names = "--output", paramLabel = "DIR", description = "The run folder (default: runs/<task>-<method>-seed<seed>).")
    Path output;

    @Option(names = {"--learning-rate", "--lr"}, defaultValue = "2e-5", description = "Peak learning rate.")
    double learningRate;

    @Option(names = {"--epochs", "--num-train-epochs"}, defaultValue = "3", description = "Training epochs.")
    double epochs;

    @Option(names = "--max-steps", defaultValue = "-1", description = "Stop after this many steps (overrides --epochs).")
    int maxSteps;

    @Option(names = {"--batch-size", "--per-device-train-batch-size"}, defaultValue = "16", description = "Training batch size.")
    int batchSize;

    @Option(names = {"--eval-batch-size", "--per-device-eval-batch-size"}, defaultValue = "64", description = "Evaluation batch size.")
    int evalBatchSize;

    @Option(names = "--gradient-accumulation-steps", defaultValue = "1", description = "Batches per optimizer step.")
    int gradientAccumulationSteps;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "Decoupled weight decay.")
    double weightDecay;

    @Option(names = "--adam-beta1", defaultValue = "0.9")
    double adamBeta1;

    @Option(names = "--adam-beta2", defaultValue = "0.999")
    double adamBeta2;

    @Option(names = "--adam-epsilon", defaultValue = "1e-8")
    double adamEpsilon;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Global gradient-norm clipping (0: off).")
    double maxGradNorm;

    @Option(names = "--lr-scheduler-type", defaultValue = "linear", description = "linear, constant or cosine.")
    String lrSchedulerType;

    @Option(names = "--warmup-ratio", defaultValue = "0.0", description = "Fraction of steps of linear warm-up.")
    double warmupRatio;

    @Option(names = "--warmup-steps", defaultValue = "0", description = "Warm-up steps (overrides --warmup-ratio).")
    int warmupSteps;



    @Option(names = "--pad-to-max-length", description = "Pad every batch to --max-length (the reference) instead of dynamically.")
    boolean padToMaxLength;

    @Option(names = "--group-by-length", description = "Batch sequences of similar length together.")
    boolean groupByLength;


    @Option(names = "--logging-steps", defaultValue = "50", description = "Log loss and learning rate every N steps.")
    int loggingSteps;

    @Option(names = "--eval-every", defaultValue = "end", paramLabel = "end|epoch|N",
            description = "Evaluate at the end only, after every epoch, or every N steps.")
    String evalEvery;

    @Option(names = "--save-steps", defaultValue = "0", description = "Also checkpoint every N steps (checkpoints are written every epoch).")
    int saveSteps;

    @Option(names = "--early-stopping-patience", defaultValue = "0", description = "Stop after N evaluations without improvement (0: off).")
    int earlyStoppingPatience;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in the output folder.")
    boolean resume;

    @Option(names = "--skip-nonfinite",
            description = "Skip the update of a step whose gradient holds NaN or infinity (counted in results.json) instead of stopping.")
    boolean skipNonFinite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        methodOptions.toFineTuning("", fisherOptions.toOptions()); // a contradictory command line fails before loading
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar progress = new ProgressBar(err, System.console() != null);
        try (TaskSetup setup = TaskSetup.load(modelOption, dataOptions, taskOptions, freezeBaseModel)) {
            TaskData data = setup.data();
            FineTuning chosen = methodOptions.toFineTuning(data.task().name(), fisherOptions.toOptions());
            if (freezeBaseModel && !chosen.name().equals("vanilla")) {
                throw new ChildTuneException("--freeze-base-model trains only the head: use it with --method vanilla");
            }
            TrainingArguments args = arguments(data.task().name(), chosen);
            if (!setup.model().loadReport().summary().isEmpty()) {
                progress.notice(setup.model().loadReport().summary());
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
                result = trainer.train(resume);
            } catch (Trainer.Interrupted e) {
                progress.notice(e.getMessage());
                return StopSignals.EXIT_TERMINATED;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s %s = %.4f after %d steps (%.1f s)%n", data.task().name(), result.mainMetric(),
                    result.mainValue(), result.steps(), result.trainSeconds());
            result.metrics().forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %.4f%n", k, v));
            out.printf("run folder: %s (model in %s)%n", args.outputDir(), result.modelFolder());
        }
        return 0;
    }

    private TrainingArguments arguments(String taskName, FineTuning chosen) {
        boolean noWarmup = referenceWarmupQuirk && chosen.child() != Method.VANILLA;
        TrainingArguments.Builder b = TrainingArguments.builder()
                .outputDir(output != null ? output
                        : Path.of("runs", taskName + "-" + chosen.name() + "-seed" + taskOptions.seed))
                .learningRate(learningRate).numTrainEpochs(epochs).maxSteps(maxSteps)
                .perDeviceTrainBatchSize(batchSize).perDeviceEvalBatchSize(evalBatchSize)
                .gradientAccumulationSteps(gradientAccumulationSteps).weightDecay(weightDecay)
                .adamBetas(adamBeta1, adamBeta2).adamEpsilon(adamEpsilon).maxGradNorm(maxGradNorm)
                .lrSchedulerType(LearningRateSchedule.Type.fromName(lrSchedulerType))
                .warmupRatio(noWarmup ? 0 : warmupRatio).warmupSteps(noWarmup ? 0 : warmupSteps)
                .seed(taskOptions.seed).maxSeqLength(taskOptions.maxLength)
                .padToMaxLength(padToMaxLength).groupByLength(groupByLength).loggingSteps(loggingSteps)
                .saveSteps(saveSteps).earlyStoppingPatience(earlyStoppingPatience).maxTrainSamples(taskOptions.maxTrainSamples)
                .skipNonFinite(skipNonFinite)
                .freezeBaseModel(freezeBaseModel);
        switch (evalEvery) {
            case "end" -> { }
            case "epoch" -> b.evalEachEpoch(true);
            default -> {
                try {
                    b.evalSteps(Integer.parseInt(evalEvery));
                } catch (NumberFormatException e) {
                    throw new ChildTuneException("--eval-every: expected end, epoch or a number of steps, got '"
                            + evalEvery + "'");
                }
            }
        }
        return b.build();
    }
}
