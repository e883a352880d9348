package dev.childtune.checkpoint.onnx;

import dev.childtune.checkpoint.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.checkpoint.onnx.ImportedModel.HeadCountSource;
import dev.childtune.checkpoint.onnx.TinyOnnx.HeadInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports tiny hand-written ONNX BERTs, so every value and every graph variant is known. */
class OnnxBertImporterTest {
    @TempDir
    Path dir;

    private ImportedModel importTiny(byte[] onnx, int heads) throws IOException {
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, onnx);
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{}}");
        return OnnxBertImporter.importBert(file, tokenizer, dir.resolve("out"), heads);
    }

    @Test
    void anonymousMatMulWeightsAreNamedAfterTheirBiasAndTransposed() throws IOException {
        ImportedModel model = importTiny(TinyOnnx.bert("", HeadInfo.RESHAPE, Set.of()), 0);
        Map<String, TensorData> tensors = SafeTensors.read(model.folder().resolve("model.safetensors"));

        // ONNX computes x·W with W [in, out]; a Hugging Face Linear holds [out, in]: hf[o][i] == onnx[i][o]
        String l = "bert.encoder.layer.0.";
        assertTransposed(tensors.get(l + "attention.self.query.weight"), 100, TinyOnnx.HIDDEN, TinyOnnx.HIDDEN);
        assertTransposed(tensors.get(l + "attention.self.value.weight"), 102, TinyOnnx.HIDDEN, TinyOnnx.HIDDEN);
        assertTransposed(tensors.get(l + "intermediate.dense.weight"), 104, TinyOnnx.HIDDEN, TinyOnnx.INTERMEDIATE);
        assertTransposed(tensors.get(l + "output.dense.weight"), 105, TinyOnnx.INTERMEDIATE, TinyOnnx.HIDDEN);
        assertTrue(tensors.keySet().stream().noneMatch(k -> k.contains("onnx::")), tensors.keySet().toString());
        assertEquals(5 + 16, tensors.size(), tensors.keySet().toString());
    }

    private static void assertTransposed(TensorData hf, int seed, int in, int out) {
        assertArrayEquals(new long[] {out, in}, hf.shape());
        float[] values = hf.toFloats();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                assertEquals(TinyOnnx.onnxWeight(seed, i, o, out), values[o * in + i], "[" + o + "][" + i + "]");
            }
        }
    }

    @Test
    void floatDataTensorsAndConfigAreImported() throws IOException {
        ImportedModel model = importTiny(TinyOnnx.bert("", HeadInfo.RESHAPE, Set.of()), 0);
        Map<String, TensorData> tensors = SafeTensors.read(model.folder().resolve("model.safetensors"));
        assertArrayEquals(new float[] {7f, 7.1f, 7.2f, 7.3f}, tensors.get("bert.embeddings.LayerNorm.weight").toFloats());

        JsonObject config = JsonParser.parseString(Files.readString(model.folder().resolve("config.json"))).getAsJsonObject();
        assertEquals(TinyOnnx.VOCAB, config.get("vocab_size").getAsInt());
        assertEquals(TinyOnnx.HIDDEN, config.get("hidden_size").getAsInt());
        assertEquals(1, config.get("num_hidden_layers").getAsInt());
        assertEquals(TinyOnnx.HEADS, config.get("num_attention_heads").getAsInt());
        assertEquals(TinyOnnx.INTERMEDIATE, config.get("intermediate_size").getAsInt());
        assertEquals(TinyOnnx.MAX_POSITIONS, config.get("max_position_embeddings").getAsInt());
        assertEquals(TinyOnnx.TYPE_VOCAB, config.get("type_vocab_size").getAsInt());
        assertEquals("bert", config.get("model_type").getAsString());
        assertEquals("{\"model\":{}}", Files.readString(model.folder().resolve("tokenizer.json")));
        assertTrue(Files.readString(model.folder().resolve("tokenizer_config.json")).contains("BertTokenizer"));
    }

    @Test
    void bertPrefixedNamesAreAccepted() throws IOException {
        ImportedModel model = importTiny(TinyOnnx.bert("bert.", HeadInfo.RESHAPE, Set.of()), 0);
        Map<String, TensorData> tensors = SafeTensors.read(model.folder().resolve("model.safetensors"));
        assertTrue(tensors.containsKey("bert.encoder.layer.0.attention.self.key.weight"), tensors.keySet().toString());
        assertTrue(tensors.keySet().stream().noneMatch(k -> k.startsWith("bert.bert.")), tensors.keySet().toString());
    }

    @Test
    void headCountComesFromTheQueryReshape() throws IOException {
        ImportedModel model = importTiny(TinyOnnx.bert("", HeadInfo.RESHAPE, Set.of()), 0);
        assertEquals(TinyOnnx.HEADS, model.numAttentionHeads());
        assertEquals(HeadCountSource.ATTENTION_RESHAPE, model.headCountSource());
    }

    @Test
    void headCountFallsBackToTheAttentionScale() throws IOException {
        ImportedModel model = importTiny(TinyOnnx.bert("", HeadInfo.SCALE, Set.of()), 0);
        assertEquals(TinyOnnx.HEADS, model.numAttentionHeads());
        assertEquals(HeadCountSource.ATTENTION_SCALE, model.headCountSource());
    }

    @Test
    void headCountCanBeGivenAndIsRequiredWhenTheGraphHidesIt() throws IOException {
        ChildTuneException e = assertThrows(ChildTuneException.class,
                () -> importTiny(TinyOnnx.bert("", HeadInfo.NONE, Set.of()), 0));
        assertTrue(e.getMessage().contains("tiny.onnx") && e.getMessage().contains("attention heads"), e.getMessage());

        ImportedModel model = importTiny(TinyOnnx.bert("", HeadInfo.NONE, Set.of()), 4);
        assertEquals(4, model.numAttentionHeads());
        assertEquals(HeadCountSource.GIVEN, model.headCountSource());
    }

    @Test
    void missingWeightIsNamedInTheError() {
        String bias = "encoder.layer.0.attention.self.value.bias";
        ChildTuneException e = assertThrows(ChildTuneException.class,
                () -> importTiny(TinyOnnx.bert("", HeadInfo.RESHAPE, Set.of(bias)), 0));
        // without its bias the value MatMul cannot be named either; whichever is reported, the file is named
        assertTrue(e.getMessage().contains("tiny.onnx"), e.getMessage());
        assertTrue(e.getMessage().contains("encoder.layer.0.attention.self.value."), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }
}
