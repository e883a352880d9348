package dev.childtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.data.Task;
import dev.childtune.data.TaskData;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.PretrainedModel;
import dev.childtune.testing.SyntheticExamples;
import dev.childtune.testing.TinyModels;
import dev.childtune.text.TextTokenizer;
import dev.childtune.tuning.GradientMask;
import dev.childtune.tuning.MaskFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop on a tiny model: determinism, resume after a crash, flat memory, divergence. */
class TrainerTest {
    @TempDir
    Path tmp;

    /** A synthetic 3-class task: the class is how many of w5, w6 the text holds. */
    private static TaskData task() {
        Task task = new Task("tiny", List.of("none", "one", "two"), false, List.of("accuracy"), "accuracy");
        return new TaskData(task, SyntheticExamples.of(48, 1, 8, 123),
                Map.of("dev", SyntheticExamples.of(20, 2, 8, 123)));
    }

    private TrainingArguments.Builder args(Path output) {
        return TrainingArguments.builder().outputDir(output).learningRate(1e-3).numTrainEpochs(3)
                .perDeviceTrainBatchSize(8).perDeviceEvalBatchSize(16).warmupRatio(0.1).loggingSteps(1)
                .evalEachEpoch(true).seed(7);
    }

    private Trainer.Result train(Path modelDir, TrainingArguments args, boolean resume, TrainingListener listener)
            throws IOException {
        try (PretrainedModel model = PretrainedModel.load(modelDir, args.seed());
                TextTokenizer tokenizer = TextTokenizer.load(modelDir, args.maxSeqLength())) {
            return new Trainer(model, tokenizer, task(), args, MaskFactory.of(GradientMask.NONE), "vanilla", listener,
                    new JsonObject()).train(resume);
        }
    }

    @Test
    void sameSeedGivesBitIdenticalMetricsAndOutputs() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        Trainer.Result a = train(modelDir, args(tmp.resolve("a")).build(), false, TrainingListener.SILENT);
        Trainer.Result b = train(modelDir, args(tmp.resolve("b")).build(), false, TrainingListener.SILENT);
        assertEquals(a.metrics(), b.metrics());
        assertEquals(Files.readString(tmp.resolve("a/metrics.jsonl")), Files.readString(tmp.resolve("b/metrics.jsonl")));
        assertEquals(18, a.steps(), "3 epochs of 6 batches");
        JsonObject results = JsonParser.parseString(Files.readString(tmp.resolve("a/results.json"))).getAsJsonObject();
        assertEquals("tiny", results.get("task").getAsString());
        assertEquals(a.mainValue(), results.get("main_metric_value").getAsDouble());
        assertEquals(21, Files.readAllLines(tmp.resolve("a/predictions.tsv")).size(), "header + 20 dev rows");
        assertTrue(Files.isRegularFile(tmp.resolve("a/model/model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("a/run.json")));
        // A different seed changes the run.
        Trainer.Result c = train(modelDir, args(tmp.resolve("c")).seed(8).build(), false, TrainingListener.SILENT);
        assertTrue(!Files.readString(tmp.resolve("a/metrics.jsonl")).equals(Files.readString(tmp.resolve("c/metrics.jsonl"))));
        assertEquals(a.steps(), c.steps());
    }

    /** Task transfer's probe: a fresh head trained on a frozen base model. */
    @Test
    void freezingTheBaseModelTrainsOnlyAFreshHead() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        TrainingArguments args = args(tmp.resolve("frozen")).maxSteps(4).freezeBaseModel(true).build();
        Map<String, float[]> before = new java.util.HashMap<>();
        Map<String, float[]> after = new java.util.HashMap<>();
        try (PretrainedModel model = PretrainedModel.load(modelDir, ModelConfig.read(modelDir), args.seed(), true);
                TextTokenizer tokenizer = TextTokenizer.load(modelDir, args.maxSeqLength())) {
            assertEquals(List.of("classifier.weight", "classifier.bias"), model.loadReport().newlyInitialized(),
                    "the checkpoint's own head is not loaded");
            model.classifier().namedParameters().forEach((name, p) -> before.put(name, p.array().toFloatArray()));
            new Trainer(model, tokenizer, task(), args, MaskFactory.of(GradientMask.NONE), "vanilla",
                    TrainingListener.SILENT, new JsonObject()).train(false);
            model.classifier().namedParameters().forEach((name, p) -> after.put(name, p.array().toFloatArray()));
        }
        before.forEach((name, values) -> {
            boolean unchanged = java.util.Arrays.equals(values, after.get(name));
            assertEquals(name.startsWith("bert."), unchanged, name + (unchanged ? " unchanged" : " changed"));
        });
    }

    /** A run killed mid-epoch and resumed ends exactly where the uninterrupted run ends. */
    @Test
    void resumeAfterACrashEndsWithTheSameMetrics() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        Trainer.Result uninterrupted = train(modelDir, args(tmp.resolve("full")).build(), false, TrainingListener.SILENT);

        Path output = tmp.resolve("crashed");
        TrainingListener crashAtStep10 = new TrainingListener() {
            @Override
            public void stepped(int step, int totalSteps, double epoch, double loss, double lr, double gradNorm) {
                if (step == 10) {
                    throw new IllegalStateException("simulated kill");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> train(modelDir, args(output).build(), false, crashAtStep10));
        assertTrue(Files.isDirectory(output.resolve("checkpoints/checkpoint-6")), "epoch-1 checkpoint survives");
        Trainer.Result resumed = train(modelDir, args(output).build(), true, TrainingListener.SILENT);
        assertEquals(uninterrupted.metrics(), resumed.metrics());
        assertEquals(uninterrupted.steps(), resumed.steps());
        assertEquals(Files.readString(tmp.resolve("full/metrics.jsonl")), Files.readString(output.resolve("metrics.jsonl")));
    }

    @Test
    void liveArrayCountStaysFlatOverManySteps() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        TrainingArguments a = args(tmp.resolve("mem")).numTrainEpochs(50).loggingSteps(100).evalEachEpoch(false)
                .build();
        try (PretrainedModel model = PretrainedModel.load(modelDir, 7);
                TextTokenizer tokenizer = TextTokenizer.load(modelDir)) {
            int[] counts = new int[2];
            TrainingListener counter = new TrainingListener() {
                @Override
                public void stepped(int step, int totalSteps, double epoch, double loss, double lr, double gradNorm) {
                    if (step == 20) {
                        counts[0] = model.manager().getManagedArrays().size();
                    } else if (step == totalSteps) {
                        counts[1] = model.manager().getManagedArrays().size();
                    }
                }
            };
            Trainer.Result r = new Trainer(model, tokenizer, task(), a, MaskFactory.of(GradientMask.NONE), "vanilla", counter,
                    new JsonObject()).train(false);
            assertEquals(300, r.steps());
            assertTrue(counts[0] >= 3 * 57, "the count covers weights and both Adam moments: " + counts[0]);
            assertEquals(counts[0], counts[1], "live NDArrays after step 20 and after step 300");
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunWithAClearMessage() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        GradientMask poison = (parameter, offset, gradient, length, step) -> {
            if (step == 7 && parameter.equals("classifier.bias")) {
                gradient[0] = Float.NaN;
            }
        };
        TrainingArguments a = args(tmp.resolve("nan")).build();
        try (PretrainedModel model = PretrainedModel.load(modelDir, 7);
                TextTokenizer tokenizer = TextTokenizer.load(modelDir)) {
            Trainer trainer = new Trainer(model, tokenizer, task(), a, MaskFactory.of(poison), "vanilla", TrainingListener.SILENT,
                    new JsonObject());
            ChildTuneException e = assertThrows(ChildTuneException.class, () -> trainer.train(false));
            assertTrue(e.getMessage().contains("at step 9") && e.getMessage().contains("checkpoint"), e.getMessage());
        }
        assertTrue(Files.isDirectory(tmp.resolve("nan/checkpoints/checkpoint-6")), "the last good checkpoint stays");
    }

    @Test
    void evaluatesEveryNStepsAndStopsEarlyWithoutImprovement() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        TrainingArguments a = args(tmp.resolve("early")).numTrainEpochs(20).learningRate(1e-7).evalEachEpoch(false)
                .evalSteps(4).earlyStoppingPatience(2).build();
        List<String> notices = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void notice(String message) {
                notices.add(message);
            }
        };
        Trainer.Result r = train(modelDir, a, false, listener);
        // A learning rate of 1e-7 cannot move accuracy: the first evaluation (step 4) stays best,
        // steps 8 and 12 bring no improvement, and patience 2 stops the run at step 12.
        assertEquals(12, r.steps());
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("early stopping at step 12")), notices.toString());
        List<String> evaluations = Files.readAllLines(tmp.resolve("early/metrics.jsonl")).stream()
                .filter(l -> l.contains("eval_accuracy")).toList();
        assertEquals(3, evaluations.size(), evaluations.toString());
        JsonObject results = JsonParser.parseString(Files.readString(tmp.resolve("early/results.json"))).getAsJsonObject();
        assertEquals(4, results.get("best_step").getAsInt());
    }
}
