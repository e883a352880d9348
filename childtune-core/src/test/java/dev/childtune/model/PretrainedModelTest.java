package dev.childtune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.train.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading like {@code from_pretrained}: prefixes, fresh heads, shape errors; saving; dropout. */
class PretrainedModelTest {
    @TempDir
    Path tmp;

    private Path copyOf(String fixture) throws IOException {
        Path source = Fixtures.fixture("hf/" + fixture);
        Path dir = Files.createDirectories(tmp.resolve(fixture));
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(source.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    private static float[] logits(PretrainedModel model, String fixture) throws IOException {
        try (NDManager manager = model.manager().newSubManager()) {
            Batch batch = FixtureBatch.read(Fixtures.fixture("hf/" + fixture + "/inputs.json"), manager);
            return model.classifier().forward(batch.inputs(), false).logits().toFloatArray();
        }
    }

    @Test
    void missingConfigIsAOneLineErrorNamingTheFile() {
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> PretrainedModel.load(tmp));
        assertTrue(e.getMessage().contains(tmp.resolve("config.json").toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unknownModelTypeIsRejectedWithTheSupportedList() throws IOException {
        Path dir = copyOf("bert");
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        config.addProperty("model_type", "gpt2");
        Files.writeString(dir.resolve("config.json"), config.toString());
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> PretrainedModel.load(dir));
        assertTrue(e.getMessage().contains("gpt2") && e.getMessage().contains("bert, roberta, electra"), e.getMessage());
    }

    @Test
    void shapeMismatchNamesTheKeyAndBothShapes() throws IOException {
        Path dir = copyOf("bert");
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        config.remove("id2label");
        config.remove("label2id");
        config.addProperty("num_labels", 5);
        Files.writeString(dir.resolve("config.json"), config.toString());
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> PretrainedModel.load(dir));
        assertTrue(e.getMessage().contains("classifier.weight") && e.getMessage().contains("[3, 32]")
                && e.getMessage().contains("(5, 32)"), e.getMessage());
    }

    @Test
    void baseModelCheckpointGetsThePrefixAndAFreshReportedHead() throws IOException {
        Path dir = copyOf("bert");
        Map<String, TensorData> all = SafeTensors.read(dir.resolve("model.safetensors"));
        Map<String, TensorData> base = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("bert.") && !k.startsWith("bert.pooler.")) {
                base.put(k.substring("bert.".length()), v);
            }
        });
        base.put("embeddings.position_ids", TensorData.ofLongs(new long[] {1, 64}, new long[64]));
        base.put("cls.predictions.bias", TensorData.ofFloats(new long[] {128}, new float[128]));
        SafeTensors.write(dir.resolve("model.safetensors"), base, Map.of("format", "pt"));

        try (PretrainedModel model = PretrainedModel.load(dir, 7)) {
            PretrainedModel.LoadReport report = model.loadReport();
            assertEquals(java.util.List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight",
                    "classifier.bias"), report.newlyInitialized());
            assertEquals(java.util.List.of("cls.predictions.bias"), report.unused());
            assertTrue(report.summary().contains("newly initialized"), report.summary());
            float[] w = model.classifier().namedParameters().get("classifier.weight").array().toFloatArray();
            double sumSquares = 0;
            for (float x : w) sumSquares += x * x;
            double std = Math.sqrt(sumSquares / w.length);
            assertTrue(std > 0.1 && std < 0.3, "normal(0, initializer_range = 0.2) init, got std " + std);
            float[] bias = model.classifier().namedParameters().get("classifier.bias").array().toFloatArray();
            assertArrayEquals(new float[3], bias);
            // The encoder weights did load: the embedding matches the checkpoint.
            assertArrayEquals(all.get("bert.embeddings.word_embeddings.weight").toFloats(),
                    model.classifier().namedParameters().get("bert.embeddings.word_embeddings.weight").array()
                            .toFloatArray());
        }
        try (PretrainedModel a = PretrainedModel.load(dir, 7); PretrainedModel b = PretrainedModel.load(dir, 7)) {
            assertArrayEquals(logits(a, "bert"), logits(b, "bert"), "the same seed gives the same fresh head");
        }
    }

    @Test
    void savedModelReloadsBitIdenticallyWithHuggingFaceLayout() throws IOException {
        Path saved = tmp.resolve("saved");
        float[] before;
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/electra"))) {
            before = logits(model, "electra");
            model.save(saved);
        }
        JsonObject config = JsonParser.parseString(Files.readString(saved.resolve("config.json"))).getAsJsonObject();
        assertEquals("ElectraForSequenceClassification", config.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals(16, config.get("embedding_size").getAsInt());
        Map<String, TensorData> original = SafeTensors.read(Fixtures.fixture("hf/electra/model.safetensors"));
        Map<String, TensorData> written = SafeTensors.read(saved.resolve("model.safetensors"));
        assertEquals(original.keySet(), written.keySet());
        for (String k : original.keySet()) {
            assertArrayEquals(original.get(k).toFloats(), written.get(k).toFloats(), k);
        }
        try (PretrainedModel reloaded = PretrainedModel.load(saved)) {
            assertArrayEquals(before, logits(reloaded, "electra"));
        }
        try (var files = Files.list(saved)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void dropoutIsActiveOnlyInTraining() throws IOException {
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert"));
                NDManager manager = model.manager().newSubManager()) {
            Batch batch = FixtureBatch.read(Fixtures.fixture("hf/bert/inputs.json"), manager);
            SequenceClassifier c = model.classifier();
            assertArrayEquals(c.forward(batch.inputs(), false).logits().toFloatArray(),
                    c.forward(batch.inputs(), false).logits().toFloatArray());
            float[] a = c.forward(batch.inputs(), true).logits().toFloatArray();
            float[] b = c.forward(batch.inputs(), true).logits().toFloatArray();
            assertFalse(java.util.Arrays.equals(a, b), "two training passes draw different dropout masks");
        }
    }
}
