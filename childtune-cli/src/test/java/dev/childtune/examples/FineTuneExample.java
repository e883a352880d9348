package dev.childtune.examples;

import com.google.gson.JsonObject;
import dev.childtune.checkpoint.hub.ModelResolver;
import dev.childtune.data.GlueTask;
import dev.childtune.data.GlueTasks;
import dev.childtune.data.TaskData;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.PretrainedModel;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.Trainer;
import dev.childtune.train.TrainingArguments;
import dev.childtune.train.TrainingListener;
import dev.childtune.tuning.FineTuning;
import dev.childtune.tuning.Method;
import java.nio.file.Path;

public class FineTuneExample {
    public static void main(String[] args) {
        GlueTask rte = GlueTasks.byName("rte");
        TaskData data = args.length > 0 ? rte.read(Path.of(args[0])) : rte.read(); // read(): the copy ChildTune ships
        Path output = Path.of(args.length > 1 ? args[1] : "runs/rte-childtuning-d-java");
        Path folder = ModelResolver.fromSystem().resolve("minilm").folder();
        ModelConfig config = ModelConfig.read(folder).forTask(data.task().labels(), data.task().regression());
        TrainingArguments training = TrainingArguments.builder().outputDir(output)
                .learningRate(5e-5).warmupRatio(0.1).build(); // 3 epochs of batch 16, seed 42
        FineTuning childTuningD = FineTuning.builder().optChild(Method.CHILDTUNING_D, 0.3, null, null).build();
        TrainingListener printProgress = new TrainingListener() {
            @Override
            public void notice(String message) {
                System.out.println(message);
            }

            @Override
            public void stepped(int step, int totalSteps, double epoch, double loss, double lr, double gradNorm) {
                if (step % 50 == 0) {
                    System.out.printf("step %d/%d  loss %.4f%n", step, totalSteps, loss);
                }
            }
        };
        try (PretrainedModel model = PretrainedModel.load(folder, config, training.seed());
             TextTokenizer tokenizer = TextTokenizer.load(folder, training.maxSeqLength())) {
            Trainer.Result result = new Trainer(model, tokenizer, data, training, childTuningD, printProgress,
                    new JsonObject()).train(false);
            System.out.printf("rte %s = %.4f after %d steps, model in %s%n", result.mainMetric(),
                    result.mainValue(), result.steps(), result.modelFolder());
        }
    }
}
