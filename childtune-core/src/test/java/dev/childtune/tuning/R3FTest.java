package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.childtune.model.ClassifierOutput;
import dev.childtune.model.PretrainedModel;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** R3F's noise term: zero without noise, positive with it, for classification and regression. */
class R3FTest {
    @TempDir
    Path tmp;

    private static float term(PretrainedModel model, Batch batch, double lambda, double sigma, R3F.Noise noise) {
        Engine.getInstance().setRandomSeed(7);
        ClassifierOutput out = model.classifier().forward(batch.inputs(), false);
        return new R3F(new R3F.Options(lambda, sigma, noise)).term(model.classifier(), batch.inputs(), out, false)
                .getFloat();
    }

    @Test
    void symmetricKlIsZeroWithoutNoiseAndPositiveWithIt() throws Exception {
        try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager()) {
            Batch batch = Baselines.batches(manager).get(0);
            assertEquals(0f, term(model, batch, 1, 0, R3F.Noise.UNIFORM), "σ = 0: the two passes agree exactly");
            assertEquals(0f, term(model, batch, 1, 0, R3F.Noise.NORMAL));
            float uniform = term(model, batch, 1, 0.1, R3F.Noise.UNIFORM);
            float normal = term(model, batch, 1, 0.1, R3F.Noise.NORMAL);
            assertTrue(uniform > 0 && normal > 0, uniform + ", " + normal);
            assertEquals(2 * uniform, term(model, batch, 2, 0.1, R3F.Noise.UNIFORM), 1e-6 * uniform,
                    "λ scales the term; the same seed draws the same noise");
            assertTrue(term(model, batch, 1, 1.0, R3F.Noise.UNIFORM) > uniform, "more noise, larger divergence");
        }
    }

    @Test
    void regressionUsesTheSquaredDifference() throws Exception {
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert-regression"));
                NDManager manager = model.manager().newSubManager()) {
            Batch batch = FixtureBatch.read(Fixtures.fixture("hf/bert-regression/inputs.json"), manager);
            assertEquals(0f, term(model, batch, 1, 0, R3F.Noise.UNIFORM));
            Engine.getInstance().setRandomSeed(7);
            float[] clean = model.classifier().forward(batch.inputs(), false).logits().toFloatArray();
            float r3f = term(model, batch, 1, 0.1, R3F.Noise.UNIFORM);
            assertTrue(r3f > 0, "σ > 0: " + r3f);
            assertTrue(Float.isFinite(r3f) && clean.length == batch.size());
        }
    }

    /** The term's gradient reaches the weights: the gradient of a step with it differs from a plain one. */
    @Test
    void theTermTrains() throws Exception {
        float[][] query = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager()) {
                List<Batch> batches = Baselines.batches(manager);
                FineTuning method = variant == 0 ? FineTuning.builder().build()
                        : FineTuning.builder().base(BaseMethod.R3F).optR3f(new R3F.Options(5, 0.5, R3F.Noise.NORMAL))
                                .build();
                int v = variant;
                GradientMask capture = (parameter, offset, values, length, step) -> {
                    if (parameter.equals("bert.encoder.layer.0.attention.self.query.weight")) {
                        query[v] = Arrays.copyOf(values, length);
                    }
                };
                try (FineTuning.Prepared prepared = Baselines.prepare(method, model, batches, tmp);
                        AdamW adamW = Baselines.optimizer(model, prepared, 0.01)) {
                    Engine.getInstance().setRandomSeed(3);
                    double loss = new OptimizerStep(model.classifier(), adamW, capture, 0, prepared.hooks())
                            .run(List.of(batches.get(0)), 0, 1e-3, false).loss();
                    assertEquals(1.1501392126083374, loss, 1e-5, "the reported loss is the task loss");
                }
            }
        }
        assertFalse(Arrays.equals(query[0], query[1]));
    }
}
