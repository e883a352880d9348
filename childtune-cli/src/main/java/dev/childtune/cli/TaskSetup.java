package dev.childtune.cli;

import ai.djl.Device;
import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.data.Subsample;
import dev.childtune.data.TaskData;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.PretrainedModel;
import dev.childtune.text.TextTokenizer;
import picocli.CommandLine.Option;

/**
 * What the task commands ({@code train}, {@code fisher}) start from: the task's examples (the
 * training split optionally subsampled) and the model with a head sized for the task's labels.
 */
record TaskSetup(TaskData data, ResolvedModel resolved, PretrainedModel model, TextTokenizer tokenizer)
        implements AutoCloseable {

    /** The options both task commands share. */
    static final class Options {
        @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
                description = "Seeds the subsample, the head's initialisation, the data order and dropout.")
        int seed;

        @Option(names = {"--max-length", "--max-seq-length"}, defaultValue = "128", paramLabel = "TOKENS",
                description = "Tokens per example (pairs truncated longest-first).")
        int maxLength;

        @Option(names = "--max-train-samples", defaultValue = "0", paramLabel = "N",
                description = "Use a seeded, label-stratified subsample of the training split (0: all).")
        int maxTrainSamples;
    }

    /**
     * @param freshHead initialise the head fresh even when the model folder has one (see {@link PretrainedModel#load(java.nio.file.Path, ModelConfig, long, boolean)})
     * @param device where the model runs, resolved (and so checked) before anything is loaded
     */
    static TaskSetup load(ModelOption modelOption, DataOptions dataOptions, Options options, boolean freshHead,
            Device device) {
        int seed = options.seed;
        int maxTrainSamples = options.maxTrainSamples;
        int maxLength = options.maxLength;
        TaskData data = dataOptions.read();
        if (maxTrainSamples > 0) {
            data = new TaskData(data.task(), Subsample.stratified(data.train(), maxTrainSamples, seed), data.devSplits());
        }
        ResolvedModel resolved = modelOption.resolve();
        ModelConfig config = ModelConfig.read(resolved.folder()).forTask(data.task().labels(), data.task().regression());
        PretrainedModel model = PretrainedModel.load(resolved.folder(), config, seed, freshHead, device);
        try {
            return new TaskSetup(data, resolved, model, TextTokenizer.load(resolved.folder(), maxLength));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
