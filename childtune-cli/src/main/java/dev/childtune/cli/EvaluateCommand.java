package dev.childtune.cli;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.data.LabelMap;
import dev.childtune.data.TaskData;
import dev.childtune.io.AtomicFiles;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.PretrainedModel;
import dev.childtune.text.Padding;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.Batcher;
import dev.childtune.train.EncodedDataset;
import dev.childtune.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune evaluate}: score a fine-tuned model on a task's dev split. */
@Command(name = "evaluate", header = "Score a fine-tuned model on a task's evaluation split(s).")
final class EvaluateCommand implements Callable<Integer> {
    /** Required: the default model's classification head is untrained, so scoring it would mean nothing. */
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "The fine-tuned model to score: a run's model folder (e.g. runs/<run>/model) or a Hugging "
                    + "Face model id (org/name[@revision]). Required: the embedded default model has an untrained "
                    + "classification head.")
    String fineTunedModel;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    DataOptions dataOptions;

    @Option(names = {"--max-length", "--max-seq-length"}, defaultValue = "128", paramLabel = "TOKENS",
            description = "Tokens per example (pairs truncated longest-first).")
    int maxLength;

    @Option(names = {"--eval-batch-size", "--per-device-eval-batch-size"}, defaultValue = "64", paramLabel = "N",
            description = "Evaluation batch size.")
    int evalBatchSize;

    @Option(names = "--label-map", split = ",", paramLabel = "DATA=MODEL",
            description = "Score data of another label set (domain transfer): map each data label to one of the model's "
                    + "labels, e.g. entailment=entailment,neutral=not_entailment,contradiction=not_entailment; "
                    + "the score is then accuracy.")
    Map<String, String> labelMap;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the metrics of every split to this JSON file.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        dataOptions.taskName(); // the options choose one source of examples
        TypedOptions.requirePositive(spec, "--eval-batch-size", evalBatchSize);
        TypedOptions.requirePositive(spec, "--max-length", maxLength);
        Device device = deviceOption.resolve();
        TaskData data = dataOptions.read();
        ResolvedModel resolved = ModelOption.resolve(fineTunedModel);
        PrintWriter out = spec.commandLine().getOut();
        try (PretrainedModel model = PretrainedModel.load(resolved.folder(), ModelConfig.read(resolved.folder()), 42,
                false, device);
                TextTokenizer tokenizer = TextTokenizer.load(resolved.folder(), maxLength)) {
            if (labelMap != null) {
                List<String> modelLabels = List.copyOf(new TreeMap<>(model.config().id2label()).values());
                data = new LabelMap(labelMap).apply(data, modelLabels);
            }
            if (model.config().numLabels() != data.task().numLabels()) {
                throw new ChildTuneException(resolved.folder() + ": the model has "
                        + model.config().numLabels() + " outputs but task " + data.task().name() + " needs "
                        + data.task().numLabels() + (data.task().regression() ? "" : " (--label-map maps other label sets)"));
            }
            Padding padding = Batcher.padding(tokenizer, model.config());
            JsonObject splits = new JsonObject();
            for (var split : data.devSplits().entrySet()) {
                EncodedDataset dataset = EncodedDataset.encode(split.getValue(), tokenizer, data.task().regression());
                Evaluator.Evaluation evaluation = new Evaluator(model, dataset,
                        new Batcher(dataset, evalBatchSize, padding, 0, false)).evaluate(data.task().metrics());
                out.printf("%s %s (%d examples):%n", data.task().name(), split.getKey(), dataset.size());
                evaluation.metrics().forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %.4f%n", k, v));
                JsonObject metrics = new JsonObject();
                evaluation.metrics().forEach(metrics::addProperty);
                splits.add(split.getKey(), metrics);
            }
            if (output != null) {
                JsonObject results = new JsonObject();
                results.addProperty("task", data.task().name());
                results.addProperty("model", resolved.folder().toString());
                results.addProperty("main_metric", data.task().mainMetric());
                results.add("splits", splits);
                AtomicFiles.writeString(output, new GsonBuilder().setPrettyPrinting().create().toJson(results) + "\n");
            }
        }
        return 0;
    }
}
