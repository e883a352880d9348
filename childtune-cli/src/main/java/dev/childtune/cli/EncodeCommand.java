package dev.childtune.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.SentenceEncoder;
import dev.childtune.text.TextTokenizer;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune encode}: tokenize a text (or pair) and run the encoder in inference mode. */
@Command(name = "encode", header = "Tokenize text and print the encoder's first-token and mean vectors.")
final class EncodeCommand implements Callable<Integer> {
    private static final int PREVIEW = 8;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text (first segment).")
    String text;

    @Option(names = "--text-pair", paramLabel = "TEXT", description = "An optional second segment.")
    String textPair;

    @Option(names = "--json", description = "Print one JSON object: tokens, input_ids, token_type_ids, cls, mean.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ResolvedModel resolved = modelOption.resolve();
        PrintWriter out = spec.commandLine().getOut();
        try (PretrainedModel model = PretrainedModel.load(resolved.folder());
                TextTokenizer tokenizer = TextTokenizer.load(resolved.folder())) {
            SentenceEncoder.Encoding e = new SentenceEncoder(model, tokenizer).encode(text, textPair);
            if (json) {
                Gson gson = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
                JsonObject o = new JsonObject();
                o.add("tokens", gson.toJsonTree(e.tokens()));
                o.add("input_ids", gson.toJsonTree(e.inputIds()));
                o.add("token_type_ids", gson.toJsonTree(e.tokenTypeIds()));
                o.add("cls", gson.toJsonTree(e.cls()));
                o.add("mean", gson.toJsonTree(e.mean()));
                out.println(gson.toJson(o));
            } else {
                out.printf("model:  %s (%s)%n", modelOption.model, resolved.source());
                out.printf("tokens: %s%n", String.join(" ", e.tokens()));
                out.printf("cls:    %s (%d values)%n", preview(e.cls()), e.cls().length);
                out.printf("mean:   %s (%d values)%n", preview(e.mean()), e.mean().length);
            }
        }
        return 0;
    }

    private static String preview(float[] v) {
        String head = Arrays.toString(Arrays.copyOf(v, Math.min(PREVIEW, v.length)));
        return v.length > PREVIEW ? head.substring(0, head.length() - 1) + ", ...]" : head;
    }
}
