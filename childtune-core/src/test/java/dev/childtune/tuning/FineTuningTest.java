package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.data.Task;
import dev.childtune.data.TaskData;
import dev.childtune.model.PretrainedModel;
import dev.childtune.testing.SyntheticExamples;
import dev.childtune.testing.TinyModels;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.Trainer;
import dev.childtune.train.TrainingArguments;
import dev.childtune.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Composition: every base method with a ChildTuning mask through the Trainer, and the refused combinations. */
class FineTuningTest {
    @TempDir
    Path tmp;

    private static TaskData task() {
        Task task = new Task("tiny", List.of("none", "one", "two"), false, List.of("accuracy"), "accuracy");
        return new TaskData(task, SyntheticExamples.of(32, 1, 6, 110),
                Map.of("dev", SyntheticExamples.of(12, 2, 6, 110)));
    }

    private TrainingArguments.Builder args(Path output) {
        return TrainingArguments.builder().outputDir(output).learningRate(1e-3).numTrainEpochs(2)
                .perDeviceTrainBatchSize(8).perDeviceEvalBatchSize(16).loggingSteps(1).seed(5);
    }

    private JsonObject run(Path modelDir, FineTuning method, TrainingArguments args, boolean resume,
            TrainingListener listener) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(modelDir, args.seed());
                TextTokenizer tokenizer = TextTokenizer.load(modelDir, args.maxSeqLength())) {
            new Trainer(model, tokenizer, task(), args, method, listener, new JsonObject()).train(resume);
        }
        return JsonParser.parseString(Files.readString(args.outputDir().resolve("results.json"))).getAsJsonObject();
    }

    private static FineTuning.Builder withChildD(BaseMethod base) {
        FineTuning.Builder b = FineTuning.builder().base(base).optChild(Method.CHILDTUNING_D, 0.3, null, null);
        return base == BaseMethod.TOP_K ? b.optTopK(1) : b;
    }

    @Test
    void everyBaseMethodRunsWithChildTuningD() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        for (BaseMethod base : BaseMethod.values()) {
            Path output = tmp.resolve(base.cliName());
            JsonObject results = run(modelDir, withChildD(base).build(), args(output).maxSteps(2).build(), false,
                    TrainingListener.SILENT);
            String name = base == BaseMethod.VANILLA ? "childtuning-d" : base.cliName() + "+childtuning-d";
            assertEquals(name, results.get("method").getAsString());
            JsonObject details = results.getAsJsonObject("method_details");
            assertEquals(base.cliName(), details.get("base_method").getAsString());
            assertEquals("childtuning-d", details.get("child_tuning").getAsString());
            assertTrue(details.get("kept").getAsLong() > 0, details.toString());
            assertEquals(2, results.get("steps").getAsInt());
            assertTrue(Double.isFinite(results.get("main_metric_value").getAsDouble()));
            JsonObject runJson = JsonParser.parseString(Files.readString(output.resolve("run.json"))).getAsJsonObject();
            assertEquals(base.cliName(), runJson.getAsJsonObject("method_options").get("base_method").getAsString());
            if (base == BaseMethod.TOP_K) {
                // The child is chosen among the weights that train: the top layer only.
                JsonObject perLayer = details.getAsJsonObject("kept_fraction_per_layer");
                assertEquals(1, perLayer.size(), perLayer.toString());
                assertTrue(perLayer.has("2"), perLayer.toString());
                assertEquals(0.3, details.get("kept_fraction").getAsDouble(), 0.01);
            }
        }
    }

    @Test
    void baseMethodsCombineWithChildTuningFAndTheModifiersOnXLNet() throws IOException {
        Path modelDir = TinyModels.xlnetWithTokenizer(tmp.resolve("xlnet"));
        for (BaseMethod base : new BaseMethod[] {BaseMethod.MIXOUT, BaseMethod.R3F, BaseMethod.RECADAM}) {
            FineTuning method = FineTuning.builder().base(base).optChild(Method.CHILDTUNING_F, 0.3, null, null)
                    .optLlrd(0.8).optReinitLayers(1).build();
            JsonObject results = run(modelDir, method, args(tmp.resolve("x-" + base.cliName())).maxSteps(2).build(),
                    false, TrainingListener.SILENT);
            JsonObject details = results.getAsJsonObject("method_details");
            assertEquals(base.cliName() + "+childtuning-f", results.get("method").getAsString());
            assertEquals(0.3, details.get("reserve_p").getAsDouble());
            assertEquals(0.8, details.get("llrd").getAsDouble());
            assertEquals(1, details.get("reinit_layers").getAsInt());
            if (base == BaseMethod.MIXOUT) {
                // XLNet's encoder Linears are ff.layer_1 and ff.layer_2; layer 1 was re-initialised.
                assertEquals(2, details.get("mixout_tensors").getAsInt(), details.toString());
            }
            assertTrue(Double.isFinite(results.get("main_metric_value").getAsDouble()));
        }
    }

    /** A resumed run keeps pulling toward the weights it started from and ends where an uninterrupted one ends. */
    @Test
    void resumeWithRecAdamTopKAndLlrdEndsBitIdentical() throws IOException {
        Path modelDir = TinyModels.bertWithTokenizer(tmp.resolve("model"));
        for (FineTuning method : new FineTuning[] {
            FineTuning.builder().base(BaseMethod.RECADAM).optRecAdam(new RecAdam.Options(0.5, 4, 50)).optLlrd(0.7).build(),
            FineTuning.builder().base(BaseMethod.TOP_K).optTopK(2).optChild(Method.CHILDTUNING_F, 0.5, null, null).build()}) {
            String name = method.name();
            JsonObject full = run(modelDir, method, args(tmp.resolve(name + "-full")).build(), false,
                    TrainingListener.SILENT);
            Path output = tmp.resolve(name + "-crashed");
            TrainingListener crash = new TrainingListener() {
                @Override
                public void stepped(int step, int totalSteps, double epoch, double loss, double lr, double gradNorm) {
                    if (step == 6) {
                        throw new IllegalStateException("simulated kill");
                    }
                }
            };
            assertThrows(IllegalStateException.class, () -> run(modelDir, method, args(output).build(), false, crash));
            JsonObject resumed = run(modelDir, method, args(output).build(), true, TrainingListener.SILENT);
            assertEquals(full.get("metrics"), resumed.get("metrics"), name);
            assertEquals(Files.readString(tmp.resolve(name + "-full/metrics.jsonl")),
                    Files.readString(output.resolve("metrics.jsonl")), name);
        }
    }

    @Test
    void meaninglessCombinationsAreRefusedWithAClearMessage() throws IOException {
        ChildTuneException e = assertThrows(ChildTuneException.class,
                () -> FineTuning.builder().base(BaseMethod.R3F).optMixoutP(0.5).build());
        assertTrue(e.getMessage().contains("mixout") && e.getMessage().contains("r3f"), e.getMessage());
        e = assertThrows(ChildTuneException.class, () -> FineTuning.builder().base(BaseMethod.TOP_K).optTopK(1)
                .optReinitLayers(2).build());
        assertTrue(e.getMessage().contains("freeze re-initialised layers"), e.getMessage());
        e = assertThrows(ChildTuneException.class, () -> FineTuning.builder()
                .optChild(Method.CHILDTUNING_F, 0.3, Path.of("mask.safetensors"), null).build());
        assertTrue(e.getMessage().contains("--mask"), e.getMessage());
        e = assertThrows(ChildTuneException.class, () -> FineTuning.builder().optLlrd(0).build());
        assertTrue(e.getMessage().contains("--llrd"), e.getMessage());
        e = assertThrows(ChildTuneException.class, () -> FineTuning.builder().base(BaseMethod.MIXOUT).optMixoutP(1).build());
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        assertThrows(ChildTuneException.class, () -> BaseMethod.fromName("dropout"));

        try (PretrainedModel model = Baselines.bert()) {
            e = assertThrows(ChildTuneException.class, () -> Baselines.prepare(
                    withChildD(BaseMethod.TOP_K).optTopK(0).build(), model, List.of(), tmp));
            assertTrue(e.getMessage().contains("every tensor of the mask scope is frozen"), e.getMessage());
            e = assertThrows(ChildTuneException.class, () -> Baselines.prepare(
                    FineTuning.builder().base(BaseMethod.TOP_K).optTopK(4).build(), model, List.of(), tmp));
            assertTrue(e.getMessage().contains("only 3 layers"), e.getMessage());
        }
    }
}
