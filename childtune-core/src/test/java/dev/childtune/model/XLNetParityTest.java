package dev.childtune.model;

import static dev.childtune.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.model.nn.Parameter;
import dev.childtune.testing.NativeMemoryPressure;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.train.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiny XLNet against Hugging Face: hidden states of every layer, attention probabilities, the
 * sequence summary, logits, loss and every gradient, from both checkpoint formats, for the
 * right-padded batch (the summary then reads a {@code <pad>} position, as Hugging Face does) and
 * the left-padded one (XLNet's own convention), within the fixtures README's tolerances.
 */
class XLNetParityTest {
    private static final Map<String, Double> DEVIATIONS = new TreeMap<>();

    @TempDir
    Path tmp;

    private static Path folderWith(Path tmp, String weightsFile) throws IOException {
        Path source = Fixtures.fixture("hf/xlnet");
        Path dir = Files.createDirectories(tmp.resolve("xlnet-" + weightsFile));
        Files.createSymbolicLink(dir.resolve("config.json"), source.resolve("config.json"));
        Files.createSymbolicLink(dir.resolve(weightsFile), source.resolve(weightsFile));
        return dir;
    }

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
        "'', model.safetensors", "'', pytorch_model.bin",
        "_left_padded, model.safetensors", "_left_padded, pytorch_model.bin"})
    void reproducesHuggingFace(String variant, String weightsFile) throws IOException {
        Path fixture = Fixtures.fixture("hf/xlnet");
        Map<String, TensorData> expected = SafeTensors.read(fixture.resolve("expected" + variant + ".safetensors"));
        try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, weightsFile));
                NDManager manager = model.manager().newSubManager()) {
            assertTrue(model.loadReport().newlyInitialized().isEmpty(), model.loadReport().summary());
            assertTrue(model.loadReport().unused().isEmpty(), model.loadReport().summary());
            SequenceClassifier classifier = model.classifier();
            assertInstanceOf(XLNet.XLNetForSequenceClassification.class, classifier);
            Batch batch = FixtureBatch.read(fixture.resolve("inputs" + variant + ".json"), manager);
            String key = (variant.isEmpty() ? "right-padded" : "left-padded") + " / " + weightsFile + " / ";

            classifier.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            ClassifierOutput out;
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                out = classifier.forward(batch.inputs(), false);
                loss = classifier.loss(out.logits(), batch.labels());
                collector.backward(loss);
            }

            EncoderOutput enc = out.encoder();
            assertEquals(3, enc.hiddenStates().size());
            double hidden = 0;
            for (int i = 0; i <= 2; i++) {
                hidden = Math.max(hidden, compare(expected, "hidden." + i, enc.hiddenStates().get(i), 1e-5, 1e-4));
            }
            hidden = Math.max(hidden, compare(expected, "last_hidden_state", enc.lastHiddenState(), 1e-5, 1e-4));
            record(key + "hidden states", hidden);
            double attention = 0;
            for (int i = 0; i < 2; i++) {
                NDArray probs = enc.attentions().get(i);
                attention = Math.max(attention, compare(expected, "attention." + i, probs, 5e-6, 1e-4));
                assertMaskedKeysGetExactlyZero(batch, probs);
            }
            record(key + "attention", attention);
            record(key + "sequence_summary", compare(expected, "sequence_summary", out.headInput(), 1e-5, 1e-4));
            record(key + "logits", compare(expected, "logits", out.logits(), 1e-5, 1e-4));
            record(key + "loss", compare(expected, "loss", loss, 1e-5, 1e-5));

            double gradients = 0;
            int checked = 0;
            for (Map.Entry<String, Parameter> e : classifier.namedParameters().entrySet()) {
                try (NDArray g = e.getValue().array().getGradient()) {
                    gradients = Math.max(gradients, compare(expected, "grad." + e.getKey(), g, 1e-5, 1e-4));
                    checked++;
                    if (e.getKey().equals("transformer.mask_emb")) {
                        assertEquals(0f, g.abs().max().getFloat(), "mask_emb takes no part in classification");
                    }
                }
            }
            assertEquals(expected.keySet().stream().filter(k -> k.startsWith("grad.")).count(), checked,
                    "every parameter's gradient is checked");
            record(key + "gradients", gradients);
        }
    }

    /** Query i gives key j probability exactly 0 when j is padding, unless j = i. */
    private static void assertMaskedKeysGetExactlyZero(Batch batch, NDArray probs) {
        long[][] mask = rows(batch.inputs().attentionMask());
        float[] p = probs.toFloatArray();
        int heads = 4;
        int seq = mask[0].length;
        int masked = 0;
        for (int b = 0; b < mask.length; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < seq; i++) {
                    for (int j = 0; j < seq; j++) {
                        if (mask[b][j] == 0 && i != j) {
                            assertEquals(0f, p[((b * heads + h) * seq + i) * seq + j], "b" + b + " h" + h + " " + i + "->" + j);
                            masked++;
                        }
                    }
                }
            }
        }
        assertTrue(masked > 0);
    }

    private static long[][] rows(NDArray matrix) {
        int n = Math.toIntExact(matrix.getShape().get(0));
        long[][] out = new long[n][];
        for (int i = 0; i < n; i++) {
            out[i] = matrix.get(i).toLongArray();
        }
        return out;
    }

    /**
     * XLNet has no absolute positions, so with left padding a sequence's logits do not depend on
     * how much padding precedes it: each left-padded row matches the row run alone, unpadded.
     */
    @Test
    void leftPaddedRowsMatchTheSequencesRunAlone() throws IOException {
        Path fixture = Fixtures.fixture("hf/xlnet");
        JsonObject inputs = JsonParser.parseString(Files.readString(fixture.resolve("inputs_left_padded.json")))
                .getAsJsonObject();
        try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, "model.safetensors"));
                NDManager manager = model.manager().newSubManager()) {
            Batch batch = FixtureBatch.fromJson(inputs, manager);
            float[] batched = model.classifier().forward(batch.inputs(), false).logits().toFloatArray();
            int seq = Math.toIntExact(batch.inputs().inputIds().getShape().get(1));
            for (int row = 0; row < 3; row++) {
                int length = inputs.getAsJsonArray("lengths").get(row).getAsInt();
                NDIndex real = new NDIndex(row + ":" + (row + 1) + ", " + (seq - length) + ":");
                Batch alone = new Batch(new dev.childtune.model.ModelInputs(batch.inputs().inputIds().get(real),
                        batch.inputs().attentionMask().get(real), batch.inputs().tokenTypeIds().get(real)),
                        batch.labels().get(row + ":" + (row + 1)));
                float[] single = model.classifier().forward(alone.inputs(), false).logits().toFloatArray();
                float[] fromBatch = java.util.Arrays.copyOfRange(batched, row * 3, row * 3 + 3);
                record("left-padded / row " + row + " alone vs batched / logits",
                        assertClose("row " + row, single, fromBatch, 1e-5, 1e-4));
            }
        }
    }

    /** The XLNet forward pass keeps no Java-owned scalar for autograd (see {@code Scalars}): a GC between passes is harmless. */
    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        Path fixture = Fixtures.fixture("hf/xlnet");
        Map<String, TensorData> expected = SafeTensors.read(fixture.resolve("expected.safetensors"));
        try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, "model.safetensors"));
                NDManager manager = model.manager().newSubManager()) {
            SequenceClassifier classifier = model.classifier();
            classifier.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            Batch batch = FixtureBatch.read(fixture.resolve("inputs.json"), manager);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = classifier.loss(classifier.forward(batch.inputs(), false).logits(), batch.labels());
                NativeMemoryPressure.collectAndPoison();
                collector.backward(loss);
            }
            for (var e : classifier.namedParameters().entrySet()) {
                try (NDArray g = e.getValue().array().getGradient()) {
                    compare(expected, "grad." + e.getKey(), g, 1e-5, 1e-4);
                }
            }
        }
    }

    @Test
    void xlnetConfigFieldsAreReadThroughTheAttributeMap() throws IOException {
        ModelConfig c = ModelConfig.read(Fixtures.fixture("hf/xlnet"));
        assertEquals("xlnet", c.modelType());
        assertEquals(32, c.hiddenSize());
        assertEquals(2, c.numHiddenLayers());
        assertEquals(4, c.numAttentionHeads());
        assertEquals(37, c.intermediateSize());
        assertEquals(120, c.vocabSize());
        assertEquals(5, c.padTokenId());
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(0, c.maxPositionEmbeddings(), "no absolute positions");
        assertEquals(3, c.numLabels());
        assertEquals(20_717, Architectures.sequenceClassifier(c).parameterCount(), "the README's parameter count");
    }

    @Test
    void unsupportedXLNetSettingsFailWithTheFieldNamed() throws IOException {
        JsonObject base = JsonParser.parseString(Files.readString(Fixtures.fixture("hf/xlnet/config.json")))
                .getAsJsonObject();
        String[][] cases = {
            {"attn_type", "\"uni\"", "attn_type 'uni'"},
            {"bi_data", "true", "bi_data"},
            {"summary_type", "\"attn\"", "summary_type 'attn'"},
            {"summary_proj_to_labels", "true", "summary_proj_to_labels"},
            {"summary_activation", "\"swish\"", "summary_activation 'swish'"},
            {"d_head", "7", "d_head 7"},
            {"n_head", "5", "d_model 32 is not a multiple of n_head 5"},
            {"ff_activation", "\"swish\"", "ff_activation 'swish'"},
            {"d_model", "\"wide\"", "field 'd_model' must be an integer"},
        };
        for (String[] c : cases) {
            JsonObject json = base.deepCopy();
            json.add(c[0], JsonParser.parseString(c[1]));
            ChildTuneException e = assertThrows(ChildTuneException.class,
                    () -> ModelConfig.fromJson(json, "dir/config.json"), c[0]);
            assertTrue(e.getMessage().startsWith("dir/config.json: ") && e.getMessage().contains(c[2]),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void withoutTheProjectionTheSummaryHasNoParameters() throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(Fixtures.fixture("hf/xlnet/config.json")))
                .getAsJsonObject();
        json.addProperty("summary_use_proj", false);
        SequenceClassifier classifier = Architectures.sequenceClassifier(ModelConfig.fromJson(json, "config.json"));
        assertTrue(classifier.namedParameters().keySet().stream().noneMatch(k -> k.startsWith("sequence_summary")));
        // Hugging Face's parameter count: 20,717 with the 32x32 summary projection.
        assertEquals(20_717 - 32 * 32 - 32, classifier.parameterCount());
    }

    private static double compare(Map<String, TensorData> expected, String name, NDArray actual, double atol,
            double rtol) {
        TensorData want = expected.get(name);
        assertTrue(want != null, "fixture has no " + name);
        assertArrayEquals(want.shape(), actual.getShape().getShape(), name + ": shape");
        return assertClose(name, actual.toFloatArray(), want.toFloats(), atol, rtol);
    }

    private static void record(String key, double deviation) {
        DEVIATIONS.merge(key, deviation, Math::max);
    }

    @AfterAll
    static void printDeviations() {
        System.out.println("Largest absolute deviation from Hugging Face (XLNet), per padding / file / quantity:");
        DEVIATIONS.forEach((k, v) -> System.out.printf("  %-60s %.3e%n", k, v));
    }
}
