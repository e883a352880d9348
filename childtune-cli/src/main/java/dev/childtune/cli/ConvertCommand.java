package dev.childtune.cli;

import dev.childtune.checkpoint.onnx.ImportedModel;
import dev.childtune.checkpoint.onnx.OnnxBertImporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune convert}: an ONNX export of a BERT encoder to a Hugging Face folder. */
@Command(name = "convert", header = "Import an ONNX export of a BERT encoder as a Hugging Face model folder.")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The ONNX file.")
    Path onnx;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "Its tokenizer.json.")
    Path tokenizer;

    @Option(names = "--num-attention-heads", defaultValue = "0", paramLabel = "N",
            description = "Heads per layer; 0 reads it from the graph.")
    int numAttentionHeads;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The folder to write.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ImportedModel m = OnnxBertImporter.importBert(onnx, tokenizer, output, numAttentionHeads);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote %s: BERT, %d layers, hidden %d, %d heads (%s), feed-forward %d, vocabulary %d%n",
                m.folder(), m.numHiddenLayers(), m.hiddenSize(), m.numAttentionHeads(),
                m.headCountSource().name().toLowerCase(Locale.ROOT).replace('_', ' '), m.intermediateSize(),
                m.vocabSize());
        return 0;
    }
}
