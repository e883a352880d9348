package dev.childtune.examples;

import dev.childtune.checkpoint.hub.ModelResolver;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.SentenceEncoder;
import dev.childtune.text.TextTokenizer;
import java.nio.file.Path;

public class EncodeExample {
    public static void main(String[] args) {
        Path folder = ModelResolver.fromSystem().resolve("minilm").folder();
        try (PretrainedModel model = PretrainedModel.load(folder);
             TextTokenizer tokenizer = TextTokenizer.load(folder)) {
            SentenceEncoder.Encoding e = new SentenceEncoder(model, tokenizer)
                    .encode("A man is playing a guitar.", "Someone plays an instrument.");
            System.out.println(String.join(" ", e.tokens()) + " -> " + e.mean().length + " values");
        }
    }
}
