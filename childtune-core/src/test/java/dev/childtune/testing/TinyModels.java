package dev.childtune.testing;

import dev.childtune.text.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny but real model folder for training tests: the fixture BERT (3 layers, hidden 32, 3
 * labels) with a WordPiece vocabulary of its 128 ids ([PAD] [UNK] [CLS] [SEP] [MASK] w5 ... w127).
 */
public final class TinyModels {
    private TinyModels() {}

    public static Path bertWithTokenizer(Path dir) throws IOException {
        Path fixture = SharedData.fixture("hf/bert");
        Files.createDirectories(dir);
        Files.copy(fixture.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(fixture.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = 5; i < 128; i++) {
            vocab.add("w" + i);
        }
        Files.write(dir.resolve("vocab.txt"), vocab);
        TokenizerFiles.ensureTokenizerJson(dir);
        return dir;
    }
}
