package dev.childtune.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.childtune.ChildTuneException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

class TokenizerFilesTest {
    @TempDir Path dir;

    private static final String LONG_TEXT =
            "Fine-tuning large pretrained language models on small datasets is unstable; "
                    .repeat(20);

    /** Single texts and pairs (second element null for a single text). */
    private static final String[][] EXAMPLES = {
        {"Hello, World!", null},
        {"Café déjà vu — a NAÏVE façade in Zürich.", null},
        {"The quick brown fox jumps over the lazy dog; it's 3.14% faster?!", null},
        {"我爱北京天安门 and Ελληνικά too", null},
        {"unbelievably antidisestablishmentarianism", null},
        {LONG_TEXT, null},
        {"How old are you?", "I am six years old."},
        {LONG_TEXT, "A short second sentence."},
        {"Short first.", LONG_TEXT},
    };

    @Test
    void generatedWordPieceTokenizerMatchesTheOriginalMiniLmTokenizer() throws IOException {
        String originalJson = miniLmTokenizerJson();
        Path original = Files.createDirectory(dir.resolve("original"));
        Files.writeString(original.resolve("tokenizer.json"), originalJson);
        Path generated = Files.createDirectory(dir.resolve("generated"));
        writeVocabTxt(
                JsonParser.parseString(originalJson).getAsJsonObject(),
                generated.resolve("vocab.txt"));

        Path written = TokenizerFiles.ensureTokenizerJson(generated);

        assertEquals(generated.resolve("tokenizer.json"), written);
        JsonObject expected = JsonParser.parseString(originalJson).getAsJsonObject();
        JsonObject actual = JsonParser.parseString(Files.readString(written)).getAsJsonObject();
        for (String key :
                List.of(
                        "added_tokens",
                        "normalizer",
                        "pre_tokenizer",
                        "post_processor",
                        "decoder",
                        "model")) {
            assertEquals(expected.get(key), actual.get(key), key);
        }
        assertTrue(actual.get("truncation").isJsonNull());
        assertTrue(actual.get("padding").isJsonNull());

        try (TextTokenizer reference = TextTokenizer.load(original, 64);
                TextTokenizer candidate = TextTokenizer.load(generated, 64)) {
            for (String[] example : EXAMPLES) {
                Encoded want = reference.encode(example[0], example[1]);
                Encoded got = candidate.encode(example[0], example[1]);
                String label = Arrays.toString(example);
                assertArrayEquals(want.inputIds(), got.inputIds(), label);
                assertArrayEquals(want.tokenTypeIds(), got.tokenTypeIds(), label);
                assertArrayEquals(want.tokens(), got.tokens(), label);
                assertTrue(got.length() <= 64, label);
            }
            assertEquals(64, candidate.encode(LONG_TEXT, null).length());
            assertEquals(reference.vocabSize(), candidate.vocabSize());
            assertEquals(reference.padToken(), candidate.padToken());
        }
    }

    @Test
    void wordPieceGenerationHonoursDoLowerCaseFromTokenizerConfig() throws IOException {
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nHello\nhello\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");

        JsonObject json =
                JsonParser.parseString(TokenizerFiles.tokenizerJson(dir)).getAsJsonObject();

        assertFalse(json.getAsJsonObject("normalizer").get("lowercase").getAsBoolean());
        assertEquals(
                4, json.getAsJsonArray("added_tokens").size(), "[MASK] is not in this vocabulary");
        assertFalse(Files.exists(dir.resolve("tokenizer.json")), "tokenizerJson must not write");
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertArrayEquals(
                    new long[] {2, 4, 5, 3}, tokenizer.encode("Hello hello", null).inputIds());
        }
    }

    @Test
    void generatedByteLevelBpeTokenizerEncodesLikeRoberta() throws IOException {
        writeTinyBpeFiles(dir);
        TokenizerFiles.ensureTokenizerJson(dir);

        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertEquals("BPE", tokenizer.kind());
            assertEquals(22, tokenizer.vocabSize());
            assertEquals(
                    new TextTokenizer.SpecialToken("<pad>", 1), tokenizer.padToken().orElseThrow());

            Encoded helloWorld = tokenizer.encode("hello world", null);
            assertArrayEquals(new String[] {"<s>", "hello", "Ġworld", "</s>"}, helloWorld.tokens());
            assertArrayEquals(new long[] {0, 15, 20, 2}, helloWorld.inputIds());

            Encoded worldHello = tokenizer.encode("world hello", null);
            assertArrayEquals(
                    new String[] {"<s>", "w", "or", "ld", "Ġ", "hello", "</s>"},
                    worldHello.tokens());
            assertArrayEquals(new long[] {0, 9, 17, 19, 8, 15, 2}, worldHello.inputIds());

            Encoded masked = tokenizer.encode("hello <mask>", null);
            assertArrayEquals(
                    new long[] {0, 15, 21, 2},
                    masked.inputIds(),
                    "<mask> swallows the space before it");

            Encoded pair = tokenizer.encode("hello", "world");
            assertArrayEquals(new long[] {0, 15, 2, 2, 9, 17, 19, 2}, pair.inputIds());
            assertArrayEquals(new long[8], pair.tokenTypeIds());
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1}, pair.attentionMask());
        }
    }

    @Test
    void existingTokenizerJsonIsLeftAlone() throws IOException {
        writeTinyBpeFiles(dir);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"mine\": true}");

        TokenizerFiles.ensureTokenizerJson(dir);

        assertEquals("{\"mine\": true}", Files.readString(dir.resolve("tokenizer.json")));
    }

    @Test
    void folderWithoutTokenizerFilesIsReported() {
        ChildTuneException e =
                assertThrows(
                        ChildTuneException.class, () -> TokenizerFiles.ensureTokenizerJson(dir));

        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains("tokenizer.json, vocab.txt, and vocab.json with merges.txt"),
                e.getMessage());
    }

    /** The tokenizer.json of all-MiniLM-L6-v2 shipped in the langchain4j artifact. */
    static String miniLmTokenizerJson() throws IOException {
        try (InputStream in =
                TokenizerFilesTest.class
                        .getClassLoader()
                        .getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void writeVocabTxt(JsonObject tokenizerJson, Path vocabTxt) throws IOException {
        JsonObject vocab = tokenizerJson.getAsJsonObject("model").getAsJsonObject("vocab");
        List<String> byId =
                new ArrayList<>(java.util.Collections.nCopies(vocab.size(), (String) null));
        for (Map.Entry<String, JsonElement> entry : vocab.entrySet()) {
            byId.set(entry.getValue().getAsInt(), entry.getKey());
        }
        Files.write(vocabTxt, byId, StandardCharsets.UTF_8);
    }

    /**
     * A byte-level BPE vocabulary whose merges build "hello" and "Ġworld" (Ġ is the byte-level form
     * of a space), RoBERTa's special tokens around it.
     */
    private static void writeTinyBpeFiles(Path folder) throws IOException {
        String[] tokens = {
            "<s>", "<pad>", "</s>", "<unk>", "h", "e", "l", "o", "Ġ", "w", "r", "d", "he", "ll",
            "hell", "hello", "Ġw", "or", "Ġwor", "ld", "Ġworld", "<mask>"
        };
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < tokens.length; id++) {
            vocab.addProperty(tokens[id], id);
        }
        Files.writeString(folder.resolve("vocab.json"), vocab.toString());
        Files.writeString(
                folder.resolve("merges.txt"),
                "#version: 0.2\nh e\nl l\nhe ll\nhell o\nĠ w\no r\nĠw or\nl d\nĠwor ld\n");
    }
}
