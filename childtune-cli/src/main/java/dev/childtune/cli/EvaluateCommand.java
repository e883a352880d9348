package dev.childtune.cli;

import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.data.TaskData;
import dev.childtune.model.PretrainedModel;
import dev.childtune.text.Padding;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.Batcher;
import dev.childtune.train.EncodedDataset;
import dev.childtune.train.Evaluator;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune evaluate}: score a fine-tuned model on a task's dev split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, showDefaultValues = true,
        header = "Score a fine-tuned model on a task's evaluation split(s).")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Mixin
    DataOptions dataOptions;

    @Option(names = {"--max-length", "--max-seq-length"}, defaultValue = "128", description = "Tokens per example.")
    int maxLength;

    @Option(names = {"--eval-batch-size", "--per-device-eval-batch-size"}, defaultValue = "64")
    int evalBatchSize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TaskData data = dataOptions.read();
        ResolvedModel resolved = modelOption.resolve();
        PrintWriter out = spec.commandLine().getOut();
        try (PretrainedModel model = PretrainedModel.load(resolved.folder());
                TextTokenizer tokenizer = TextTokenizer.load(resolved.folder(), maxLength)) {
            if (model.config().numLabels() != (data.task().regression() ? 1 : data.task().labels().size())) {
                throw new dev.childtune.ChildTuneException(resolved.folder() + ": the model has "
                        + model.config().numLabels() + " outputs but task " + data.task().name() + " needs "
                        + (data.task().regression() ? 1 : data.task().labels().size()));
            }
            Padding padding = Batcher.padding(tokenizer, model.config());
            for (var split : data.devSplits().entrySet()) {
                EncodedDataset dataset = EncodedDataset.encode(split.getValue(), tokenizer, data.task().regression());
                Evaluator.Evaluation evaluation = new Evaluator(model, dataset,
                        new Batcher(dataset, evalBatchSize, padding, 0, false)).evaluate(data.task().metrics());
                out.printf("%s %s (%d examples):%n", data.task().name(), split.getKey(), dataset.size());
                evaluation.metrics().forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %.4f%n", k, v));
            }
        }
        return 0;
    }
}
