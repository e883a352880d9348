package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.nn.Parameter;
import dev.childtune.model.nn.Scalars;
import dev.childtune.train.AdamW;
import dev.childtune.train.GradientSlices;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WD-pre (L2-SP) and RecAdam: the pull inside AdamW's update against the analytic gradient and hand-computed steps. */
class PretrainedPullTest {
    @TempDir
    Path tmp;

    /** Moves every weight away from its pretrained value by N(0, 0.1), in place. */
    private static void perturb(PretrainedModel model, long seed) {
        Random random = new Random(seed);
        model.classifier().namedParameters().values().forEach(p -> {
            float[] v = p.array().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (random.nextGaussian() * 0.1);
            }
            p.array().set(v);
        });
    }

    /** One AdamW step with the given gradients (by name; zeros for the others). */
    private static void step(PretrainedModel model, AdamW optimizer, NDManager manager, double lr,
            Map<String, float[]> gradients) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        model.classifier().namedParameters().forEach((name, p) -> {
            float[] g = gradients.get(name);
            arrays.put(name, g == null ? manager.zeros(p.shape()) : manager.create(g, p.shape()));
        });
        optimizer.step(GradientSlices.of(arrays), lr, 1f, GradientMask.NONE, 0);
    }

    @Test
    void wdPrePullIsAGradientStepOnTheL2SpPenalty() throws Exception {
        double lambda = 0.5;
        double lr = 1e-2;
        try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager();
                FineTuning.Prepared prepared = Baselines.prepare(
                        FineTuning.builder().base(BaseMethod.WD_PRE).optWdPreLambda(lambda).build(), model,
                        Baselines.batches(manager), tmp)) {
            Map<String, float[]> pretrained = Baselines.weights(model);
            perturb(model, 1);
            // The analytic gradient of λ/2·‖w − w_pre‖² over the body, by autograd.
            Map<String, float[]> analytic = new LinkedHashMap<>();
            Map<String, float[]> start = Baselines.weights(model);
            for (Map.Entry<String, Parameter> e : model.classifier().namedParameters().entrySet()) {
                if (!model.classifier().inBaseModel(e.getKey())) {
                    continue;
                }
                NDArray w = e.getValue().array();
                w.setRequiresGradient(true);
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    NDArray diff = w.sub(manager.create(pretrained.get(e.getKey()), w.getShape()));
                    c.backward(diff.mul(diff).sum().mul(Scalars.constant(manager, lambda / 2)));
                }
                try (NDArray g = w.getGradient()) {
                    analytic.put(e.getKey(), g.toFloatArray());
                }
            }
            try (AdamW adamW = Baselines.optimizer(model, prepared, 0)) {
                step(model, adamW, manager, lr, Map.of()); // no task gradient: only the pull moves weights
            }
            Map<String, float[]> after = Baselines.weights(model);
            int pulled = 0;
            for (String name : after.keySet()) {
                if (analytic.containsKey(name)) {
                    float[] want = start.get(name).clone();
                    for (int i = 0; i < want.length; i++) {
                        want[i] -= (float) (lr * analytic.get(name)[i]);
                    }
                    dev.childtune.testing.Closeness.assertClose(name, after.get(name), want, 1e-7, 1e-6);
                    pulled++;
                } else {
                    assertArrayEquals(start.get(name), after.get(name), name + ": the head is never pulled");
                }
            }
            assertEquals(model.classifier().namedParameters().size() - 2, pulled, "all of the body, pooler included");
            assertTrue(analytic.containsKey("bert.pooler.dense.weight"));
        }
    }

    @Test
    void recAdamAnnealingCurveMatchesTheFormula() {
        RecAdam.Options o = new RecAdam.Options(0.5, 4, 100);
        assertEquals(0.18242552380635635, RecAdam.lambda(1, o), 1e-15);
        assertEquals(0.5, RecAdam.lambda(4, o), 0);
        assertEquals(0.9525741268224334, RecAdam.lambda(10, o), 1e-15);
        RecAdam.Options defaults = RecAdam.Options.DEFAULTS;
        assertEquals(new RecAdam.Options(0.5, 1000, 5000), defaults, "the released script's defaults");
        assertEquals(3.003777872648744e-116, RecAdam.lambda(468, defaults), 1e-126, "a 3-epoch RTE run stays near 0");
        RecAdam pull = new RecAdam(o, null);
        for (int t = 1; t < 20; t++) {
            assertEquals(RecAdam.lambda(t, o), pull.adamScale(t), 0);
            assertEquals((1 - RecAdam.lambda(t, o)) * 100, pull.strength(t), 1e-12);
            assertTrue(RecAdam.lambda(t + 1, o) > RecAdam.lambda(t, o), "λ(t) increases");
        }
    }

    /** One RecAdam update from zero moments, element by element against the formulas of the released optimizer. */
    @Test
    void recAdamUpdateMatchesHandComputedValues() throws Exception {
        double lr = 1e-3;
        double wd = 0.01;
        RecAdam.Options o = new RecAdam.Options(0.5, 2, 50);
        try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager();
                FineTuning.Prepared prepared = Baselines.prepare(
                        FineTuning.builder().base(BaseMethod.RECADAM).optRecAdam(o).build(), model,
                        Baselines.batches(manager), tmp)) {
            Map<String, float[]> pretrained = Baselines.weights(model);
            perturb(model, 2);
            Map<String, float[]> start = Baselines.weights(model);
            Map<String, float[]> gradients = new LinkedHashMap<>();
            Random random = new Random(3);
            start.forEach((name, v) -> {
                float[] g = new float[v.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (random.nextGaussian() * 0.01);
                }
                gradients.put(name, g);
            });
            try (AdamW adamW = Baselines.optimizer(model, prepared, wd)) {
                step(model, adamW, manager, lr, gradients);
            }
            Map<String, float[]> after = Baselines.weights(model);
            double lambda = 1 / (1 + Math.exp(-0.5 * (1 - 2))); // t = 1
            double stepSize = lr * Math.sqrt(1 - 0.999) / (1 - 0.9);
            for (String name : new String[] {"bert.encoder.layer.1.attention.self.query.weight",
                "bert.encoder.layer.0.output.LayerNorm.weight", "bert.embeddings.word_embeddings.weight",
                "classifier.weight", "classifier.bias"}) {
                boolean body = model.classifier().inBaseModel(name);
                float[] want = new float[start.get(name).length];
                for (int i = 0; i < want.length; i++) {
                    double g = gradients.get(name)[i];
                    double m = 0.1 * g;
                    double v = 0.001 * g * g;
                    double p = start.get(name)[i] - (body ? lambda : 1) * stepSize * m / (Math.sqrt(v) + 1e-8);
                    if (body) {
                        p -= lr * (1 - lambda) * 50 * (p - pretrained.get(name)[i]);
                    }
                    if (AdamW.decays(name)) {
                        p -= lr * wd * p;
                    }
                    want[i] = (float) p;
                }
                dev.childtune.testing.Closeness.assertClose(name, after.get(name), want, 2e-7, 2e-6);
            }
            assertNull(prepared.hooks().pull().anchor("classifier.weight"), "the fresh head is not pulled");
        }
    }
}
