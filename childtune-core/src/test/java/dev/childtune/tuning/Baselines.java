package dev.childtune.tuning;

import ai.djl.ndarray.NDManager;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.nn.Parameter;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the baseline tests share: the fixture BERT's batches, a prepared method, the loop's wiring. */
final class Baselines {
    private Baselines() {}

    /** The five batches of four examples of {@code childtuning/batches.json}. */
    static List<Batch> batches(NDManager manager) throws IOException {
        return FixtureBatch.readAll(Fixtures.fixture("childtuning/batches.json"), manager);
    }

    /** Prepares a method on a model as the Trainer does (Fisher pass over {@code batches}). */
    static FineTuning.Prepared prepare(FineTuning method, PretrainedModel model, List<Batch> batches, Path runFolder) {
        MaskFactory.Context context = new MaskFactory.Context(model.classifier(), m -> batches, 42, 1.0, runFolder, false,
                model.manager(), notice -> { });
        return method.prepare(context, model.loadReport().newlyInitialized(), 100);
    }

    /** AdamW over the trainable parameters with the method's learning-rate scales and pull, as the Trainer builds it. */
    static AdamW optimizer(PretrainedModel model, FineTuning.Prepared prepared, double weightDecay) {
        Map<String, Parameter> trainable = new LinkedHashMap<>(model.classifier().namedParameters());
        trainable.keySet().removeIf(prepared.hooks().trainable().negate());
        return AdamW.builder(trainable, model.manager()).optWeightDecay(weightDecay)
                .optLearningRateScale(prepared.hooks().learningRateScale()).optPull(prepared.hooks().pull()).build();
    }

    static OptimizerStep stepper(PretrainedModel model, AdamW optimizer, FineTuning.Prepared prepared) {
        return new OptimizerStep(model.classifier(), optimizer, prepared.mask(), 1.0, prepared.hooks());
    }

    /** Every parameter's values. */
    static Map<String, float[]> weights(PretrainedModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.classifier().namedParameters().forEach((name, p) -> out.put(name, p.array().toFloatArray()));
        return out;
    }

    static PretrainedModel bert() {
        return PretrainedModel.load(Fixtures.fixture("hf/bert"));
    }
}
