package dev.childtune.tuning;

import static dev.childtune.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.data.Example;
import dev.childtune.data.Task;
import dev.childtune.data.TaskData;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.nn.Parameter;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.testing.TinyModels;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import dev.childtune.train.Trainer;
import dev.childtune.train.TrainingArguments;
import dev.childtune.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ChildTuning on the tiny XLNet, unchanged from BERT: the Fisher pass scores exactly the
 * {@code transformer.layer.N.*} tensors, ChildTuning-D's steps move non-children by weight decay
 * only, and a whole ChildTuning-D run trains, evaluates and saves an XLNet.
 */
class XLNetChildTuningTest {
    private static final double NO_CLIPPING = 1e30;

    @TempDir
    Path tmp;

    /** With one batch and no clipping the Fisher score is the squared gradient, which the fixture holds. */
    @Test
    void fisherPassScoresTheLayerTensorsWithTheSquaredGradient() throws IOException {
        Path fixture = Fixtures.fixture("hf/xlnet");
        Map<String, TensorData> expected = SafeTensors.read(fixture.resolve("expected.safetensors"));
        try (PretrainedModel model = PretrainedModel.load(fixture);
                NDManager manager = model.manager().newSubManager()) {
            Batch batch = FixtureBatch.read(fixture.resolve("inputs.json"), manager);
            FisherInformation.Estimate estimate = FisherInformation.estimate(model.classifier(), List.of(batch),
                    NO_CLIPPING, FisherInformation.REFERENCE_SCOPE, false, manager);

            Set<String> layerTensors = model.classifier().namedParameters().keySet().stream()
                    .filter(n -> n.startsWith("transformer.layer.")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(layerTensors, new TreeSet<>(estimate.scores().keySet()));
            assertEquals(34, layerTensors.size(), "17 tensors in each of the 2 layers");
            assertClose("loss", estimate.batchLosses(), expected.get("loss").toFloats(), 1e-5, 1e-5);
            for (Map.Entry<String, NDArray> e : estimate.scores().entrySet()) {
                float[] g = expected.get("grad." + e.getKey()).toFloats();
                float[] squared = new float[g.length];
                for (int i = 0; i < g.length; i++) {
                    squared[i] = g[i] * g[i];
                }
                assertClose("fisher." + e.getKey(), e.getValue().toFloatArray(), squared, 1e-9, 1e-4);
            }

            ChildMask mask = ChildMask.fromFisher(estimate.scores(), 0.3, manager);
            long[] kept = mask.keptAndTotal();
            assertEquals(model.classifier().namedParameters().entrySet().stream()
                    .filter(e -> layerTensors.contains(e.getKey()))
                    .mapToLong(e -> e.getValue().shape().size()).sum(), kept[1]);
            assertEquals(0.3, (double) kept[0] / kept[1], 0.01);
            JsonObject summary = mask.summary();
            assertEquals(Set.of("0", "1"), summary.getAsJsonObject("kept_fraction_per_layer").keySet());
            assertTrue(summary.getAsJsonObject("kept_fraction_per_module").has("rel_attn.q"),
                    summary.getAsJsonObject("kept_fraction_per_module").keySet().toString());
        }
    }

    /**
     * Three ChildTuning-D steps over the fixture's two batches: every loss finite, the child
     * weights move, the non-children of the layers move by weight decay only, and mask_emb (no
     * gradient in Hugging Face) does not move at all.
     */
    @Test
    void childTuningDStepsLeaveNonChildrenToWeightDecay() throws IOException {
        Path fixture = Fixtures.fixture("hf/xlnet");
        double lr = 1e-3;
        try (PretrainedModel model = PretrainedModel.load(fixture);
                NDManager manager = model.manager().newSubManager();
                AdamW adamW = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
            List<Batch> batches = List.of(FixtureBatch.read(fixture.resolve("inputs.json"), manager),
                    FixtureBatch.read(fixture.resolve("inputs_left_padded.json"), manager));
            ChildMask mask = ChildMask.fromFisher(FisherInformation.estimate(model.classifier(), batches, 1.0,
                    FisherInformation.REFERENCE_SCOPE, false, manager).scores(), 0.3, manager);
            Map<String, Parameter> params = model.classifier().namedParameters();
            Map<String, float[]> initial = new HashMap<>();
            params.forEach((name, p) -> initial.put(name, p.array().toFloatArray()));

            OptimizerStep step = new OptimizerStep(model.classifier(), adamW, new ChildTuningD(mask), 1.0);
            int steps = 3;
            for (int t = 0; t < steps; t++) {
                OptimizerStep.Result r = step.run(List.of(batches.get(t % 2)), t, lr, false);
                assertTrue(Double.isFinite(r.loss()) && Double.isFinite(r.gradNorm()), "step " + t + ": " + r);
            }

            float decay = (float) (-lr * 0.01);
            int nonChildren = 0;
            for (Map.Entry<String, NDArray> e : mask.masks().entrySet()) {
                float[] m = e.getValue().toFloatArray();
                float[] before = initial.get(e.getKey());
                float[] after = params.get(e.getKey()).array().toFloatArray();
                boolean decays = AdamW.decays(e.getKey());
                boolean childMoved = false;
                for (int i = 0; i < m.length; i++) {
                    if (m[i] == 0f) {
                        float p = before[i];
                        for (int t = 0; t < steps && decays; t++) {
                            p = p + p * decay;
                        }
                        assertEquals(p, after[i], 1e-7, e.getKey() + "[" + i + "] is no child");
                        nonChildren++;
                    } else if (after[i] != before[i]) {
                        childMoved = true;
                    }
                }
                assertTrue(childMoved || !hasChildren(m), e.getKey() + ": some child weight moves");
            }
            assertTrue(nonChildren > 0);
            assertArrayEquals(initial.get("transformer.mask_emb"),
                    params.get("transformer.mask_emb").array().toFloatArray(), "mask_emb is neither updated nor decayed");
            assertFalse(java.util.Arrays.equals(initial.get("transformer.word_embedding.weight"),
                    params.get("transformer.word_embedding.weight").array().toFloatArray()), "embeddings train");
        }
    }

    private static boolean hasChildren(float[] mask) {
        for (float v : mask) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }

    /** A whole ChildTuning-D run through the Trainer, from text, on the XLNet folder with its tokenizer. */
    @Test
    void aChildTuningDRunTrainsEvaluatesAndSavesAnXLNet() throws IOException {
        Path modelDir = TinyModels.xlnetWithTokenizer(tmp.resolve("model"));
        Task task = new Task("tiny", List.of("none", "one", "two"), false, List.of("accuracy"), "accuracy");
        TaskData data = new TaskData(task, examples(24, 1), Map.of("dev", examples(9, 2)));
        TrainingArguments args = TrainingArguments.builder().outputDir(tmp.resolve("run")).learningRate(1e-3)
                .numTrainEpochs(2).perDeviceTrainBatchSize(8).perDeviceEvalBatchSize(16).loggingSteps(1)
                .evalEachEpoch(true).seed(3).build();
        List<String> notices = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void notice(String message) {
                notices.add(message);
            }
        };
        Trainer.Result result;
        try (PretrainedModel model = PretrainedModel.load(modelDir, args.seed());
                TextTokenizer tokenizer = TextTokenizer.load(modelDir, args.maxSeqLength())) {
            result = new Trainer(model, tokenizer, data, args,
                    Method.CHILDTUNING_D.factory(0.3, null, FisherInformation.REFERENCE), "childtuning-d", listener,
                    new JsonObject()).train(false);
        }
        assertEquals(6, result.steps(), "2 epochs of 3 batches");
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("ChildTuning-D: Fisher pass")), notices.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("run").resolve(Method.MASK_FILE)));
        JsonObject results = JsonParser.parseString(Files.readString(tmp.resolve("run/results.json")))
                .getAsJsonObject();
        assertTrue(Double.isFinite(results.get("main_metric_value").getAsDouble()));
        try (PretrainedModel saved = PretrainedModel.load(tmp.resolve("run/model"))) {
            assertEquals("xlnet", saved.config().modelType());
            assertTrue(saved.loadReport().summary().isEmpty(), saved.loadReport().summary());
            assertTrue(Files.isRegularFile(tmp.resolve("run/model/tokenizer.json")));
        }
    }

    /** Texts over w9..w119; the class counts how many of w9 and w10 occur; every third is a pair. */
    private static List<Example> examples(int n, long seed) {
        Random random = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            for (int j = 0, length = 3 + random.nextInt(8); j < length; j++) {
                words.add("w" + (9 + random.nextInt(111)));
            }
            int label = (words.contains("w9") ? 1 : 0) + (words.contains("w10") ? 1 : 0);
            out.add(new Example(String.join(" ", words), i % 3 == 0 ? "w11 w12" : null, label, Double.NaN,
                    Path.of("synthetic"), i + 1));
        }
        return out;
    }
}
