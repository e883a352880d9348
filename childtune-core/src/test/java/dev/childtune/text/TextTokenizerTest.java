package dev.childtune.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.childtune.ChildTuneException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The all-MiniLM-L6-v2 tokenizer.json carries its own truncation (128) and padding (fixed 128)
 * blocks.
 */
class TextTokenizerTest {
    @TempDir Path dir;

    @BeforeEach
    void writeMiniLmTokenizer() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), TokenizerFilesTest.miniLmTokenizerJson());
    }

    @Test
    void encodesWithoutPaddingAndDescribesTheTokenizer() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            Encoded encoded = tokenizer.encode("Hello world", null);

            assertArrayEquals(new String[] {"[CLS]", "hello", "world", "[SEP]"}, encoded.tokens());
            assertArrayEquals(new long[] {101, 7592, 2088, 102}, encoded.inputIds());
            assertArrayEquals(new long[] {0, 0, 0, 0}, encoded.tokenTypeIds());
            assertArrayEquals(new long[] {1, 1, 1, 1}, encoded.attentionMask());
            assertEquals("WordPiece", tokenizer.kind());
            assertEquals(30522, tokenizer.vocabSize());
            assertEquals(
                    new TextTokenizer.SpecialToken("[PAD]", 0), tokenizer.padToken().orElseThrow());
            assertEquals(512, tokenizer.maxLength());
        }
    }

    @Test
    void pairsAreTruncatedLongestFirst() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir, 8)) {
            Encoded encoded =
                    tokenizer.encode("one two three four five six seven eight nine ten", "yes no");

            assertArrayEquals(
                    new String[] {"[CLS]", "one", "two", "three", "[SEP]", "yes", "no", "[SEP]"},
                    encoded.tokens());
            assertArrayEquals(new long[] {0, 0, 0, 0, 0, 1, 1, 1}, encoded.tokenTypeIds());
        }
    }

    @Test
    void maxLengthAboveDjlsDefaultLimitIsKept() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir, 700)) {
            assertEquals(700, tokenizer.encode("word ".repeat(1000), null).length());
            assertEquals(
                    130,
                    tokenizer.encode("word ".repeat(128), null).length(),
                    "the file's own 128 is ignored");
        }
    }

    @Test
    void defaultMaxLengthComesFromTokenizerConfigWhenPlausible() throws IOException {
        assertEquals(512, TextTokenizer.defaultMaxLength(dir));

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 256}");
        assertEquals(256, TextTokenizer.defaultMaxLength(dir));

        Files.writeString(
                dir.resolve("tokenizer_config.json"),
                "{\"model_max_length\": 1000000000000000019884624838656}");
        assertEquals(512, TextTokenizer.defaultMaxLength(dir));
    }

    @Test
    void nonPositiveMaxLengthIsRejected() {
        assertThrows(ChildTuneException.class, () -> TextTokenizer.load(dir, 0));
    }
}
