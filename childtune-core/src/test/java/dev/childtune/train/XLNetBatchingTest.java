package dev.childtune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.data.Example;
import dev.childtune.model.ModelConfig;
import dev.childtune.testing.Fixtures;
import dev.childtune.testing.TinyModels;
import dev.childtune.text.Encoded;
import dev.childtune.text.Padding;
import dev.childtune.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XLNet's tokenization and batching: {@code <sep> <cls>} at the end with segment id 2 for
 * {@code <cls>}, padding on the left with segment id 3 by default. The fixture's two batches are
 * rebuilt from text, through DJL's tokenizer and the Batcher, id for id.
 */
class XLNetBatchingTest {
    @TempDir
    Path tmp;

    @Test
    void sepAndClsCloseTheSequenceAndClsHasSegmentTwo() throws IOException {
        Path dir = TinyModels.xlnetWithTokenizer(tmp.resolve("xlnet"));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            Encoded single = tokenizer.encode("w93 w20", null);
            assertArrayEquals(new String[] {"w93", "w20", "<sep>", "<cls>"}, single.tokens());
            assertArrayEquals(new long[] {93, 20, 4, 3}, single.inputIds());
            assertArrayEquals(new long[] {0, 0, 0, 2}, single.tokenTypeIds());

            Encoded pair = tokenizer.encode("w75 w43", "w65");
            assertArrayEquals(new long[] {75, 43, 4, 65, 4, 3}, pair.inputIds());
            assertArrayEquals(new long[] {0, 0, 0, 1, 1, 2}, pair.tokenTypeIds());
            assertEquals("Unigram", tokenizer.kind());
            assertEquals(120, tokenizer.vocabSize());
            assertEquals(new TextTokenizer.SpecialToken("<pad>", 5), tokenizer.padToken().orElseThrow());
        }
        try (TextTokenizer tokenizer = TextTokenizer.load(dir, 7)) {
            Encoded truncated = tokenizer.encode("w10 w11 w12 w13 w14 w15", "w20 w21");
            assertArrayEquals(new long[] {10, 11, 4, 20, 21, 4, 3}, truncated.inputIds(),
                    "longest first, and the special tokens stay at the end");
        }
    }

    @Test
    void paddingSideComesFromTokenizerConfigElseTheModelType() throws IOException {
        Path dir = TinyModels.xlnetWithTokenizer(tmp.resolve("xlnet"));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertEquals(Padding.Side.LEFT, tokenizer.paddingSide(), "XLNet's tokenizer pads on the left");
            assertEquals(3, tokenizer.padTypeId());
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"padding_side\": \"right\"}");
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertEquals(Padding.Side.RIGHT, tokenizer.paddingSide());
            assertEquals(3, tokenizer.padTypeId());
        }

        // No config.json: the tokenizer class names the family, as for Hugging Face's AutoTokenizer.
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        Files.copy(dir.resolve("tokenizer.json"), bare.resolve("tokenizer.json"));
        try (TextTokenizer tokenizer = TextTokenizer.load(bare)) {
            assertEquals(Padding.Side.RIGHT, tokenizer.paddingSide());
            assertEquals(0, tokenizer.padTypeId());
        }
        Files.writeString(bare.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"XLNetTokenizerFast\"}");
        try (TextTokenizer tokenizer = TextTokenizer.load(bare)) {
            assertEquals(Padding.Side.LEFT, tokenizer.paddingSide());
            assertEquals(3, tokenizer.padTypeId());
        }

        Files.writeString(bare.resolve("tokenizer_config.json"), "{\"padding_side\": \"middle\"}");
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> TextTokenizer.load(bare));
        assertTrue(e.getMessage().contains("tokenizer_config.json: field 'padding_side'")
                && e.getMessage().contains("middle"), e.getMessage());
    }

    @Test
    void aSentencePieceModelAloneAsksForTokenizerJson() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("spiece"));
        Files.write(dir.resolve("spiece.model"), new byte[] {0x0a, 0x00});
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains("spiece.model") && e.getMessage().contains("tokenizer.json"),
                e.getMessage());
    }

    @Test
    void aBertFolderStillPadsOnTheRightWithSegmentZero() throws IOException {
        Path dir = TinyModels.bertWithTokenizer(tmp.resolve("bert"));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertEquals(Padding.right(0), Batcher.padding(tokenizer, ModelConfig.read(dir)));
        }
    }

    /** inputs_left_padded.json by default; inputs.json with {@code padding_side: right}. */
    @Test
    void batchesRebuildTheFixtureInputsFromText() throws IOException {
        Path dir = TinyModels.xlnetWithTokenizer(tmp.resolve("xlnet"));
        assertBatchEquals(dir, "inputs_left_padded.json");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"padding_side\": \"right\"}");
        assertBatchEquals(dir, "inputs.json");
    }

    private static void assertBatchEquals(Path dir, String fixtureFile) throws IOException {
        JsonObject inputs = JsonParser.parseString(Files.readString(Fixtures.fixture("hf/xlnet/" + fixtureFile)))
                .getAsJsonObject();
        List<Example> examples = new ArrayList<>();
        JsonArray ids = inputs.getAsJsonArray("input_ids");
        JsonArray types = inputs.getAsJsonArray("token_type_ids");
        for (int row = 0; row < ids.size(); row++) {
            // The words back from the ids: ordinary ids in segment 0 form text A, in segment 1 text B.
            StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
            for (int j = 0; j < ids.get(row).getAsJsonArray().size(); j++) {
                int id = ids.get(row).getAsJsonArray().get(j).getAsInt();
                int type = types.get(row).getAsJsonArray().get(j).getAsInt();
                if (id >= TinyModels.XLNET_SPECIALS.size()) {
                    texts[type].append(" w").append(id);
                }
            }
            String b = texts[1].toString().strip();
            examples.add(new Example(texts[0].toString().strip(), b.isEmpty() ? null : b,
                    inputs.getAsJsonArray("labels").get(row).getAsInt(), Double.NaN, Path.of("fixture"), row + 1));
        }
        try (TextTokenizer tokenizer = TextTokenizer.load(dir);
                NDManager manager = NDManager.newBaseManager()) {
            EncodedDataset dataset = EncodedDataset.encode(examples, tokenizer, false);
            Batcher batcher = new Batcher(dataset, 3, Batcher.padding(tokenizer, ModelConfig.read(dir)), 0, false);
            Batch batch = batcher.batch(new int[] {0, 1, 2}, manager);
            assertArrayEquals(matrix(inputs, "input_ids"), rows(batch.inputs().inputIds()), fixtureFile + " input_ids");
            assertArrayEquals(matrix(inputs, "attention_mask"), rows(batch.inputs().attentionMask()),
                    fixtureFile + " attention_mask");
            assertArrayEquals(matrix(inputs, "token_type_ids"), rows(batch.inputs().tokenTypeIds()),
                    fixtureFile + " token_type_ids");
            long[] labels = new long[examples.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = inputs.getAsJsonArray("labels").get(i).getAsLong();
            }
            assertArrayEquals(labels, batch.labels().toLongArray());
        }
    }

    private static long[][] matrix(JsonObject json, String key) {
        JsonArray rows = json.getAsJsonArray(key);
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = rows.get(i).getAsJsonArray();
            out[i] = new long[row.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = row.get(j).getAsLong();
            }
        }
        return out;
    }

    private static long[][] rows(NDArray array) {
        long[][] out = new long[Math.toIntExact(array.getShape().get(0))][];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).toLongArray();
        }
        return out;
    }
}
