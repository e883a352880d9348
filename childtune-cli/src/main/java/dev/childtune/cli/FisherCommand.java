package dev.childtune.cli;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.childtune.data.TaskData;
import dev.childtune.io.AtomicFiles;
import dev.childtune.model.PretrainedModel;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.Batcher;
import dev.childtune.train.EncodedDataset;
import dev.childtune.tuning.ChildTuningD;
import dev.childtune.tuning.FineTuning;
import dev.childtune.tuning.FisherInformation;
import dev.childtune.tuning.MaskFactory;
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

/** {@code childtune fisher}: estimate ChildTuning-D's child network and save it for inspection and reuse. */
@Command(name = "fisher", header = "Estimate the Fisher information on a task and save ChildTuning-D's child mask.")
final class FisherCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    TaskSetup.Options taskOptions;

    @Option(names = "--reserve-p", paramLabel = "P",
            description = "The share of eligible weights to keep (default: the paper's p_D for the task, else 0.3).")
    Double reserveP;

    @Mixin
    FisherOptions fisherOptions;

    @Option(names = {"--batch-size", "--per-device-train-batch-size"}, defaultValue = "16", paramLabel = "N",
            description = "Batch size of the Fisher pass.")
    int batchSize;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", paramLabel = "NORM",
            description = "Per-tensor gradient clipping in the Fisher pass.")
    double maxGradNorm;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Where child_mask.safetensors and child_mask_summary.json go.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // Everything the command line decides is checked before the data or the model is loaded.
        String taskName = dataOptions.taskName();
        double p = reserveP != null ? reserveP : Method.CHILDTUNING_D.reportedReserveP(taskName);
        FisherInformation.Options fisher = fisherOptions.toOptions();
        FineTuning.builder().optChild(Method.CHILDTUNING_D, p, null, fisher).build(); // the library's checks of p
        TypedOptions.requirePositive(spec, "--batch-size", batchSize);
        TypedOptions.requirePositive(spec, "--max-length", taskOptions.maxLength);
        Device device = deviceOption.resolve();

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (TaskSetup setup = TaskSetup.load(modelOption, dataOptions, taskOptions, false, device)) {
            TaskData data = setup.data();
            PretrainedModel model = setup.model();
            TextTokenizer tokenizer = setup.tokenizer();
            EncodedDataset train = EncodedDataset.encode(data.train(), tokenizer, data.task().regression());
            Batcher batcher = new Batcher(train, batchSize, Batcher.padding(tokenizer, model.config()), 0, false);
            MaskFactory.Context context = new MaskFactory.Context(model.classifier(),
                    manager -> batcher.onDemand(batcher.trainingOrder(taskOptions.seed, -1), manager),
                    taskOptions.seed, maxGradNorm, output,
                    false, model.manager(), message -> err.println(message));
            ChildTuningD mask = (ChildTuningD) Method.CHILDTUNING_D.factory(p, null, fisher).create(context);
            JsonObject summary = mask.describe();
            summary.addProperty("task", data.task().name());
            summary.addProperty("model", modelOption.model);
            summary.addProperty("reserve_p", p);
            AtomicFiles.writeString(output.resolve("child_mask_summary.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n");
            out.printf(Locale.ROOT, "child network of %s on %s: %d of %d eligible weights (%.4f), threshold %.4e%n",
                    modelOption.model, data.task().name(), summary.get("kept").getAsLong(),
                    summary.get("eligible").getAsLong(), summary.get("kept_fraction").getAsDouble(),
                    summary.get("threshold").getAsDouble());
            table(out, "layer", summary.getAsJsonObject("kept_fraction_per_layer"));
            table(out, "module", summary.getAsJsonObject("kept_fraction_per_module"));
            out.printf("written: %s, %s%n", output.resolve(Method.MASK_FILE), output.resolve("child_mask_summary.json"));
        }
        return 0;
    }

    private static void table(PrintWriter out, String heading, JsonObject fractions) {
        out.printf("  %-28s %s%n", heading, "children");
        fractions.entrySet().forEach(e -> out.printf(Locale.ROOT, "  %-28s %6.2f%%%n", e.getKey(),
                100 * e.getValue().getAsDouble()));
    }
}
