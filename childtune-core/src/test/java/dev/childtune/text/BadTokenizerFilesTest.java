package dev.childtune.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus (issue 9) for tokenizer files: each is refused in Java with one line naming
 * the file and the field, before the native library sees it (which aborts the JVM on some).
 */
class BadTokenizerFilesTest {
    @TempDir Path dir;

    /** A small working WordLevel tokenizer, with {@code normalizer} as given (JSON). */
    private static String wordLevel(String normalizer) {
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [],"
                + " \"normalizer\": " + normalizer + ", \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
                + " \"post_processor\": null, \"decoder\": null,"
                + " \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"[UNK]\": 0, \"hello\": 1}, \"unk_token\": \"[UNK]\"}}";
    }

    /** A Precompiled normalizer over a charsmap of {@code trieUnits} zero units and no strings. */
    private static String precompiled(int trieUnits) {
        ByteBuffer charsmap = ByteBuffer.allocate(4 + 4 * trieUnits).order(ByteOrder.LITTLE_ENDIAN);
        charsmap.putInt(4 * trieUnits);
        return precompiled(Base64.getEncoder().encodeToString(charsmap.array()));
    }

    private static String precompiled(String base64) {
        return "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFKC\"},"
                + " {\"type\": \"Precompiled\", \"precompiled_charsmap\": \"" + base64 + "\"}]}";
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    private void assertRejected(String json, String problem) throws IOException {
        Path file = write(json);
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> TextTokenizer.load(dir, 16));
        assertEquals(file + ": " + problem, e.getMessage());
    }

    @Test
    void theSmallTokenizerWorksAlsoWithAnEmptyPrecompiledCharsmap() throws IOException {
        for (String normalizer : new String[] {"null", precompiled(256)}) {
            write(wordLevel(normalizer));
            try (TextTokenizer tokenizer = TextTokenizer.load(dir, 16)) {
                assertArrayEquals(new long[] {1, 0}, tokenizer.encode("hello world", null).inputIds());
                assertEquals(2, tokenizer.vocabSize());
            }
        }
    }

    @Test
    void notATokenizer() throws IOException {
        assertRejected("{\"do_lower_case\": true, \"model_max_length\": 512}", "no \"model\" object; expected a"
                + " Hugging Face tokenizer.json (this may be a tokenizer_config.json or another file under the"
                + " tokenizer's name)");
        assertRejected("[\"hello\"]", "the file holds a JSON array; expected a Hugging Face tokenizer.json (an"
                + " object with a \"model\")");
        assertRejected("hello", "the tokenizer file is not valid JSON (malformed JSON at line 1 column 1 path $)");
        assertRejected("", "the tokenizer file is empty; expected a JSON value");
        Path file = dir.resolve("tokenizer.json");
        Files.write(file, new byte[] {'{', (byte) 0xC0, '}'});
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> TextTokenizer.load(dir, 16));
        assertEquals(file + ": not UTF-8 text; expected a JSON tokenizer file", e.getMessage());
    }

    @Test
    void malformedFields() throws IOException {
        String valid = wordLevel("null");
        assertRejected(valid.replace("\"type\": \"WordLevel\"", "\"type\": \"GPT\""),
                "field 'model.type' is \"GPT\"; expected one of WordPiece, BPE, WordLevel, Unigram");
        assertRejected(valid.replace("\"hello\": 1", "\"hello\": \"one\""), "field 'model.vocab[\"hello\"]' is"
                + " \"one\"; expected a token id (an integer from 0 to 2147483647)");
        assertRejected(valid.replace("\"vocab\": {\"[UNK]\": 0, \"hello\": 1}", "\"vocab\": 3"),
                "field 'model.vocab' is 3; expected an object (token to id) or a list of [piece, score] pairs");
        assertRejected(valid.replace("\"added_tokens\": []", "\"added_tokens\": [{\"id\": -1, \"content\": \"x\"}]"),
                "field 'added_tokens[0].id' is -1; expected a token id (an integer from 0 to 2147483647)");
        // What only the native library checks still ends in one line naming the file.
        Path file = write(valid.replace(", \"unk_token\": \"[UNK]\"", "").replace("WordLevel", "WordPiece"));
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> TextTokenizer.load(dir, 16));
        assertTrue(e.getMessage().startsWith(file + ": not a usable tokenizer (missing field"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void brokenPrecompiledCharsmapsAreRefusedBeforeTheyCrashTheJvm() throws Exception {
        String where = "field 'normalizer.normalizers[1].precompiled_charsmap'";
        assertRejected(wordLevel(precompiled("not base64!")), where + " is not valid base64 (Illegal base64"
                + " character 20)");
        assertRejected(wordLevel(precompiled("AAA=")), where + " holds 2 bytes; expected a SentencePiece charsmap"
                + " (a 4-byte trie size, the trie, the replacement strings)");
        assertRejected(wordLevel(precompiled(Base64.getEncoder().encodeToString(new byte[] {64, 0, 0, 0, 1}))),
                where + " declares a trie of 64 bytes but holds 1 after the size; expected a SentencePiece charsmap");
        String corrupt = wordLevel(precompiled(1));
        assertRejected(corrupt, where + " has a trie that points outside itself (unit 1 of 1); the charsmap is corrupt");

        // Without the checks: the native library aborts the whole JVM on both (a Rust panic).
        Path bad = Files.writeString(dir.resolve("bad-base64.json"), wordLevel(precompiled("AAA=")));
        Path trie = Files.writeString(dir.resolve("bad-trie.json"), corrupt);
        for (Path file : new Path[] {bad, trie}) {
            Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), NativeTokenizerProbe.class.getName(), file.toString())
                    .redirectErrorStream(true).start();
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
            assertNotEquals(0, probe.exitValue(), output);
            assertTrue(output.contains("panicked"), output);
        }
    }
}
