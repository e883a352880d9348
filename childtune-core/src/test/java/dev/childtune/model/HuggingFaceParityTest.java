package dev.childtune.model;

import static dev.childtune.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
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
 * Every number Hugging Face Transformers computed for the fixture models (hidden states of every
 * layer, attention probabilities, head inputs, logits, loss and the gradient of every parameter),
 * reproduced from both checkpoint formats, within the tolerances of the fixtures' README.
 */
class HuggingFaceParityTest {
    /** Largest absolute deviation per "model / file / quantity", printed for the closing note. */
    private static final Map<String, Double> DEVIATIONS = new TreeMap<>();

    @TempDir
    Path tmp;

    /** Runs the fixture batch through the model built from {@code weightsFile} of the fixture. */
    private record Run(ClassifierOutput output, NDArray loss, Map<String, float[]> gradients) {}

    private static Path folderWith(Path tmp, String fixture, String weightsFile) throws IOException {
        Path source = Fixtures.fixture("hf/" + fixture);
        Path dir = Files.createDirectories(tmp.resolve(fixture + "-" + weightsFile));
        Files.createSymbolicLink(dir.resolve("config.json"), source.resolve("config.json"));
        String target = weightsFile.endsWith(".bin") ? "pytorch_model.bin" : "model.safetensors";
        Files.createSymbolicLink(dir.resolve(target), source.resolve(weightsFile));
        return dir;
    }

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
        "bert, model.safetensors", "bert, pytorch_model.bin",
        "bert-regression, model.safetensors", "bert-regression, pytorch_model.bin",
        "roberta, model.safetensors", "roberta, pytorch_model.bin",
        "electra, model.safetensors", "electra, pytorch_model.bin"})
    void reproducesHuggingFace(String fixture, String weightsFile) throws IOException {
        Path fixtureDir = Fixtures.fixture("hf/" + fixture);
        Map<String, TensorData> expected = SafeTensors.read(fixtureDir.resolve("expected.safetensors"));
        try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, fixture, weightsFile));
                NDManager manager = model.manager().newSubManager()) {
            assertTrue(model.loadReport().newlyInitialized().isEmpty(), model.loadReport().summary());
            assertTrue(model.loadReport().unused().isEmpty(), model.loadReport().summary());
            SequenceClassifier classifier = model.classifier();
            Batch batch = FixtureBatch.read(fixtureDir.resolve("inputs.json"), manager);
            String key = fixture + " / " + weightsFile + " / ";

            for (Parameter p : classifier.namedParameters().values()) {
                p.array().setRequiresGradient(true);
            }
            ClassifierOutput out;
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                out = classifier.forward(batch.inputs(), false);
                loss = classifier.loss(out.logits(), batch.labels());
                collector.backward(loss);
            }

            EncoderOutput enc = out.encoder();
            int layers = classifier.config().numHiddenLayers();
            assertEquals(layers + 1, enc.hiddenStates().size());
            double hidden = 0;
            for (int i = 0; i <= layers; i++) {
                hidden = Math.max(hidden, compare(expected, "hidden." + i, enc.hiddenStates().get(i), 1e-5, 1e-4));
            }
            hidden = Math.max(hidden, compare(expected, "last_hidden_state", enc.lastHiddenState(), 1e-5, 1e-4));
            record(key + "hidden states", hidden);
            double attention = 0;
            for (int i = 0; i < layers; i++) {
                attention = Math.max(attention, compare(expected, "attention." + i, enc.attentions().get(i), 5e-6, 1e-4));
            }
            record(key + "attention", attention);
            String headKey = fixture.startsWith("bert") ? "pooled_output" : "classifier_hidden";
            record(key + headKey, compare(expected, headKey, out.headInput(), 1e-5, 1e-4));
            if (fixture.equals("electra")) {
                Electra.ElectraModel electra = (Electra.ElectraModel) classifier.baseModel();
                record(key + "embeddings_output",
                        compare(expected, "embeddings_output", electra.embed(batch.inputs(), false), 1e-5, 1e-4));
            }
            if (fixture.equals("roberta")) {
                Roberta.RobertaModel roberta = (Roberta.RobertaModel) classifier.baseModel();
                assertArrayEquals(expected.get("position_ids").toLongs(),
                        roberta.embeddings.positionIds(batch.inputs().inputIds()).toLongArray(), "position_ids");
            }
            record(key + "logits", compare(expected, "logits", out.logits(), 1e-5, 1e-4));
            record(key + "loss", compare(expected, "loss", loss, 1e-5, 1e-5));

            double gradients = 0;
            int checked = 0;
            for (Map.Entry<String, Parameter> e : classifier.namedParameters().entrySet()) {
                try (NDArray g = e.getValue().array().getGradient()) {
                    gradients = Math.max(gradients, compare(expected, "grad." + e.getKey(), g, 1e-5, 1e-4));
                    checked++;
                }
            }
            assertEquals(expected.keySet().stream().filter(k -> k.startsWith("grad.")).count(), checked,
                    "every parameter's gradient is checked");
            record(key + "gradients", gradients);
        }
    }

    /** The bfloat16 copy of bert, widened in Java, reproduces the float32 model that carries the widened weights. */
    @Test
    void bfloat16CheckpointMatchesItsWidenedReference() throws IOException {
        Path fixtureDir = Fixtures.fixture("hf/bert");
        Map<String, TensorData> expected = SafeTensors.read(fixtureDir.resolve("expected.safetensors"));
        try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, "bert", "model-bf16.safetensors"));
                NDManager manager = model.manager().newSubManager()) {
            Batch batch = FixtureBatch.read(fixtureDir.resolve("inputs.json"), manager);
            ClassifierOutput out = model.classifier().forward(batch.inputs(), false);
            NDArray loss = model.classifier().loss(out.logits(), batch.labels());
            String key = "bert / model-bf16.safetensors / ";
            record(key + "hidden states", compare(expected, "bf16weights.last_hidden_state",
                    out.encoder().lastHiddenState(), 1e-5, 1e-4));
            record(key + "pooled_output", compare(expected, "bf16weights.pooled_output", out.headInput(), 1e-5, 1e-4));
            record(key + "logits", compare(expected, "bf16weights.logits", out.logits(), 1e-5, 1e-4));
            record(key + "loss", compare(expected, "bf16weights.loss", loss, 1e-5, 1e-5));
            // A silently float32-decoded or mis-widened file would land on the float32 logits instead.
            assertNotEquals(expected.get("logits").toFloats()[0], out.logits().toFloatArray()[0]);
        }
    }

    /**
     * What autograd saved in the forward pass must still be valid in the backward pass, even after
     * a garbage collection has freed and refilled Java's native buffers in between (DJL's
     * number-operand operations free their scalar's memory at once; see {@code Scalars}).
     */
    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        Path fixtureDir = Fixtures.fixture("hf/bert");
        Map<String, TensorData> expected = SafeTensors.read(fixtureDir.resolve("expected.safetensors"));
        try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, "bert", "model.safetensors"));
                NDManager manager = model.manager().newSubManager()) {
            SequenceClassifier classifier = model.classifier();
            classifier.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            Batch batch = FixtureBatch.read(fixtureDir.resolve("inputs.json"), manager);
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

    /** Both file formats hold the same bits, so they must give bit-identical outputs. */
    @Test
    void safetensorsAndBinGiveBitIdenticalLogits() throws IOException {
        float[][] logits = new float[2][];
        String[] files = {"model.safetensors", "pytorch_model.bin"};
        for (int i = 0; i < 2; i++) {
            try (PretrainedModel model = PretrainedModel.load(folderWith(tmp, "roberta", files[i]));
                    NDManager manager = model.manager().newSubManager()) {
                Batch batch = FixtureBatch.read(Fixtures.fixture("hf/roberta/inputs.json"), manager);
                logits[i] = model.classifier().forward(batch.inputs(), false).logits().toFloatArray();
            }
        }
        assertArrayEquals(logits[0], logits[1]);
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
        System.out.println("Largest absolute deviation from Hugging Face, per fixture / file / quantity:");
        DEVIATIONS.forEach((k, v) -> System.out.printf("  %-60s %.3e%n", k, v));
    }
}
