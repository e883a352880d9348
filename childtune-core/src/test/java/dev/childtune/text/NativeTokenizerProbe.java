package dev.childtune.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;

/**
 * Hands a tokenizer.json straight to the native library, skipping ChildTune's checks, and encodes
 * a word; run in a child JVM by {@link BadTokenizerFilesTest} to show what the checks prevent.
 */
public final class NativeTokenizerProbe {
    private NativeTokenizerProbe() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(Path.of(args[0]))) {
            tokenizer.encode("hello");
        } catch (RuntimeException e) {
            System.out.println("rejected: " + e.getMessage());
            return;
        }
        System.out.println("survived");
    }
}
