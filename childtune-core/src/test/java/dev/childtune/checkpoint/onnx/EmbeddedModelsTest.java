package dev.childtune.checkpoint.onnx;

import dev.childtune.checkpoint.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.checkpoint.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded all-MiniLM-L6-v2, imported once for the whole class. */
class EmbeddedModelsTest {
    private static final int LAYERS = 6;
    private static final int HIDDEN = 384;
    private static final int HEADS = 12;
    private static final int INTERMEDIATE = 1536;

    @TempDir
    static Path cache;
    static Path folder;
    static Map<String, TensorData> tensors;
    static JsonObject config;
    static byte[] onnxBytes;

    @BeforeAll
    static void importOnce() throws IOException {
        folder = EmbeddedModels.ensureMinilm(cache);
        tensors = SafeTensors.read(folder.resolve("model.safetensors"));
        config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
        try (InputStream in = EmbeddedModels.class.getClassLoader().getResourceAsStream(EmbeddedModels.MINILM_ONNX)) {
            onnxBytes = in.readAllBytes();
        }
    }

    @Test
    void configHasTheMiniLmDimensions() {
        assertEquals(cache.resolve("models/minilm"), folder);
        assertEquals(LAYERS, config.get("num_hidden_layers").getAsInt());
        assertEquals(HIDDEN, config.get("hidden_size").getAsInt());
        assertEquals(HEADS, config.get("num_attention_heads").getAsInt());
        assertEquals(INTERMEDIATE, config.get("intermediate_size").getAsInt());
        assertEquals(30522, config.get("vocab_size").getAsInt());
        assertEquals(512, config.get("max_position_embeddings").getAsInt());
        assertEquals(2, config.get("type_vocab_size").getAsInt());
        assertEquals("BertModel", config.getAsJsonArray("architectures").get(0).getAsString());
        assertTrue(Files.isRegularFile(folder.resolve("tokenizer.json")));
        assertTrue(Files.isRegularFile(folder.resolve("tokenizer_config.json")));
    }

    @Test
    void everyBertWeightIsPresentWithItsShape() {
        assertShape("bert.embeddings.word_embeddings.weight", 30522, HIDDEN);
        assertShape("bert.embeddings.position_embeddings.weight", 512, HIDDEN);
        assertShape("bert.embeddings.token_type_embeddings.weight", 2, HIDDEN);
        assertShape("bert.embeddings.LayerNorm.weight", HIDDEN);
        assertShape("bert.embeddings.LayerNorm.bias", HIDDEN);
        for (int i = 0; i < LAYERS; i++) {
            String l = "bert.encoder.layer." + i + ".";
            for (String linear : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                assertShape(l + linear + ".weight", HIDDEN, HIDDEN);
                assertShape(l + linear + ".bias", HIDDEN);
            }
            for (String norm : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
                assertShape(l + norm + ".weight", HIDDEN);
                assertShape(l + norm + ".bias", HIDDEN);
            }
            assertShape(l + "intermediate.dense.weight", INTERMEDIATE, HIDDEN);
            assertShape(l + "intermediate.dense.bias", INTERMEDIATE);
            assertShape(l + "output.dense.weight", HIDDEN, INTERMEDIATE);
            assertShape(l + "output.dense.bias", HIDDEN);
        }
        assertEquals(5 + 16 * LAYERS, tensors.size(), "no extra tensors (no pooler, no position_ids)");
        assertTrue(tensors.keySet().stream().allMatch(k -> k.startsWith("bert.") && !k.contains("onnx::")));
    }

    private static void assertShape(String key, long... shape) {
        assertTrue(tensors.containsKey(key), key + " missing");
        assertArrayEquals(shape, tensors.get(key).shape(), key);
    }

    @Test
    void onnxGraphHasTheExpectedLayout() {
        OnnxModel model = OnnxModel.parse(ByteBuffer.wrap(onnxBytes), EmbeddedModels.MINILM_ONNX);
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), model.inputs());
        assertEquals(List.of("last_hidden_state"), model.outputs());
        assertEquals(102, model.initializers().size());
        assertEquals(6 * LAYERS, model.initializers().keySet().stream().filter(k -> k.startsWith("onnx::MatMul_")).count());
    }

    @Test
    void secondCallReusesTheFolder() throws IOException {
        Path weights = folder.resolve("model.safetensors");
        FileTime written = Files.getLastModifiedTime(weights);
        Path marker = Files.writeString(folder.resolve("marker.txt"), "kept");
        assertEquals(folder, EmbeddedModels.ensureMinilm(cache));
        assertEquals(written, Files.getLastModifiedTime(weights));
        assertTrue(Files.exists(marker));
        try (var siblings = Files.list(folder.getParent())) {
            assertEquals(List.of(folder), siblings.toList(), "no staging folder left behind");
        }
        assertFalse(Files.exists(folder.resolve("model.onnx")));
    }
}
