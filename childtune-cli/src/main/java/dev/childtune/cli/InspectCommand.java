package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.PretrainedModel;
import dev.childtune.text.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code childtune inspect}: what a model is and where its files came from. */
@Command(name = "inspect", header = "Show a model's architecture, size, tokenizer and source.")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ResolvedModel resolved = modelOption.resolve();
        PrintWriter out = spec.commandLine().getOut();
        try (PretrainedModel model = PretrainedModel.load(resolved.folder())) {
            ModelConfig c = model.config();
            long total = model.classifier().parameterCount();
            long base = model.classifier().children().get(model.classifier().baseModelPrefix()).parameterCount();
            out.printf("model:          %s%n", modelOption.model);
            out.printf("source:         %s%n", resolved.source());
            out.printf("folder:         %s%n", resolved.folder());
            out.printf("weights:        %s%n", model.loadReport().source());
            out.printf("architecture:   %s (model_type %s)%n", model.classifier().getClass().getSimpleName(),
                    c.modelType());
            out.printf("layers:         %d%n", c.numHiddenLayers());
            out.printf("hidden size:    %d (%d heads of %d, feed-forward %d)%n", c.hiddenSize(),
                    c.numAttentionHeads(), c.headSize(), c.intermediateSize());
            out.printf("max positions:  %s%n", c.maxPositionEmbeddings() > 0
                    ? Integer.toString(c.maxPositionEmbeddings()) : "none (relative positions)");
            out.printf("parameters:     %,d (encoder %,d, head %,d)%n", total, base, total - base);
            out.printf("labels:         %d (%s)%n", c.numLabels(), c.problemType());
            out.printf("tokenizer:      %s%n", describeTokenizer(resolved.folder()));
            String report = model.loadReport().summary();
            if (!report.isEmpty()) {
                out.printf("note:           %s%n", report);
            }
        }
        return 0;
    }

    /**
     * The tokenizer in a line. A folder without one is still a model to inspect (training needs
     * one); a {@code tokenizer.json} that is there but broken is an error like any bad file.
     */
    private static String describeTokenizer(Path folder) {
        try (TextTokenizer tokenizer = TextTokenizer.load(folder)) {
            return String.format(Locale.ROOT, "%s, vocabulary %,d, pads on the %s", tokenizer.kind(),
                    tokenizer.vocabSize(), tokenizer.paddingSide().name().toLowerCase(Locale.ROOT));
        } catch (ChildTuneException e) {
            if (Files.exists(folder.resolve("tokenizer.json"))) {
                throw e;
            }
            return "none usable (" + e.getMessage() + ")";
        }
    }
}
