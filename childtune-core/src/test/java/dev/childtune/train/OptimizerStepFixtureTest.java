package dev.childtune.train;

import static dev.childtune.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.nn.Parameter;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.tuning.ChildMask;
import dev.childtune.tuning.ChildTuningD;
import dev.childtune.tuning.GradientMask;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Five optimizer steps on the fixture BERT (lr 1e-3, dropout off) reproduce the reference's
 * losses, pre-clipping gradient norms and weights after step 1 and step 5: global clipping →
 * (mask) → AdamW with bias correction → decoupled weight decay, as childtuning/README §6(c).
 */
class OptimizerStepFixtureTest {
    private static final double LR = 1e-3;

    @Test
    void vanillaStepsMatchTheReference() throws IOException {
        runFiveSteps("vanilla", GradientMask.NONE, true);
    }

    /** The same steps with ChildTuning-D's mask (the fixture's) applied between clipping and AdamW. */
    @Test
    void childTuningDStepsMatchTheReference() throws IOException {
        childTuningDSteps(true);
    }

    /** The update a GPU runs (the engine's operations instead of the fused Java pass) meets the same reference. */
    @Test
    void vanillaStepsWithTheEngineUpdateMatchTheReference() throws IOException {
        runFiveSteps("vanilla", GradientMask.NONE, false);
    }

    @Test
    void childTuningDStepsWithTheEngineUpdateMatchTheReference() throws IOException {
        childTuningDSteps(false);
    }

    private static void childTuningDSteps(boolean fusedOnHost) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                ChildMask mask = ChildMask.load(Fixtures.fixture("childtuning/expected.safetensors"), manager)) {
            assertEquals(48, mask.masks().size());
            runFiveSteps("d", new ChildTuningD(mask), fusedOnHost);
        }
    }

    /** Two micro-batches of two examples make the same gradient and step as one batch of four. */
    @Test
    void gradientAccumulationEqualsTheWholeBatch() throws IOException {
        float[][] after = new float[2][];
        float[][] gradient = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert"));
                    NDManager manager = model.manager().newSubManager();
                    AdamW adamW = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
                Batch whole = FixtureBatch.readAll(Fixtures.fixture("childtuning/batches.json"), manager).get(0);
                List<Batch> micro = variant == 0 ? List.of(whole) : List.of(whole.rows(0, 2), whole.rows(2, 4));
                int v = variant;
                GradientMask capture = (parameter, offset, values, length, step) -> {
                    if (parameter.equals("classifier.weight")) {
                        gradient[v] = java.util.Arrays.copyOf(values, length);
                    }
                };
                OptimizerStep.Result r = new OptimizerStep(model.classifier(), adamW, capture, 0).run(micro, 0, LR, false);
                assertEquals(1.1501392126083374, r.loss(), 1e-5, "the mean loss over the micro-batches");
                after[variant] = model.classifier().namedParameters().get("classifier.weight").array().toFloatArray();
            }
        }
        assertClose("classifier.weight gradient (unclipped)", gradient[1], gradient[0], 1e-6, 1e-5);
        assertClose("classifier.weight after one step", after[1], after[0], 1e-6, 0);
    }

    private static void runFiveSteps(String run, GradientMask mask, boolean fusedOnHost) throws IOException {
        Map<String, TensorData> expected = SafeTensors.read(Fixtures.fixture("childtuning/expected.safetensors"));
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert"));
                NDManager manager = model.manager().newSubManager();
                AdamW adamW = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
            Map<String, Parameter> params = model.classifier().namedParameters();
            Map<String, float[]> initial = new java.util.HashMap<>();
            params.forEach((name, p) -> initial.put(name, p.array().toFloatArray()));
            List<Batch> batches = FixtureBatch.readAll(Fixtures.fixture("childtuning/batches.json"), manager);
            OptimizerStep step = new OptimizerStep(model.classifier(), adamW, mask, 1.0, TrainingHooks.NONE,
                    fusedOnHost);
            float[] losses = expected.get(run + ".losses").toFloats();
            float[] norms = expected.get(run + ".grad_norms").toFloats();
            for (int t = 0; t < 5; t++) {
                OptimizerStep.Result r = step.run(List.of(batches.get(t)), t, LR, false);
                assertEquals(losses[t], r.loss(), 1e-5, run + " loss of step " + (t + 1));
                assertEquals(norms[t], r.gradNorm(), 1e-5 * norms[t], run + " gradient norm of step " + (t + 1));
                if (t == 0) {
                    compareWeights(expected, run + ".step1.", params, run);
                }
            }
            compareWeights(expected, run + ".after.", params, run);
            if (run.equals("d")) {
                checkNonChildrenMoveByDecayOnly(expected, params, initial);
            }
        }
    }

    private static void compareWeights(Map<String, TensorData> expected, String prefix, Map<String, Parameter> params,
            String run) {
        int compared = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            // Key-bias gradients are float32 noise, which Adam's normalisation magnifies (README §8).
            double atol = run.equals("vanilla") && e.getKey().endsWith("attention.self.key.bias") ? 5e-4 : 5e-5;
            assertClose(prefix + e.getKey(), e.getValue().array().toFloatArray(),
                    expected.get(prefix + e.getKey()).toFloats(), atol, 0);
            compared++;
        }
        assertEquals(57, compared);
    }

    /** A weight outside the child keeps zero moments: after five steps it is p·(1 − lr·wd)^5 (or p). */
    private static void checkNonChildrenMoveByDecayOnly(Map<String, TensorData> expected, Map<String, Parameter> params,
            Map<String, float[]> initial) {
        int nonChildren = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            TensorData mask = expected.get("mask." + e.getKey());
            if (mask == null) {
                continue;
            }
            long[] m = mask.toLongs();
            float[] actual = e.getValue().array().toFloatArray();
            float[] want = expected.get("d.after." + e.getKey()).toFloats();
            float[] start = initial.get(e.getKey());
            for (int i = 0; i < m.length; i++) {
                if (m[i] == 0) {
                    assertEquals(want[i], actual[i], 1e-7, "non-child " + e.getKey() + "[" + i + "]");
                    if (!AdamW.decays(e.getKey())) {
                        assertEquals(start[i], actual[i], 0f, "no-decay non-child stays put");
                    }
                    nonChildren++;
                }
            }
        }
        assertTrue(nonChildren > 14000, "most eligible weights are outside the child: " + nonChildren);
    }

    /**
     * A NaN anywhere in the forward pass: the step names the first parameter with a non-finite
     * gradient and changes nothing, with either update (fused Java pass, engine operations).
     */
    @ParameterizedTest(name = "fused on host: {0}")
    @ValueSource(booleans = {true, false})
    void aNonFiniteGradientIsReportedAndNotApplied(boolean fusedOnHost) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert"));
                NDManager manager = model.manager().newSubManager();
                AdamW adamW = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
            Map<String, Parameter> params = model.classifier().namedParameters();
            Batch batch = FixtureBatch.readAll(Fixtures.fixture("childtuning/batches.json"), manager).get(0);
            // Poison one weight of the first encoder layer: everything after it becomes NaN.
            String poisoned = "bert.encoder.layer.0.attention.self.query.weight";
            float[] w = params.get(poisoned).array().toFloatArray();
            w[0] = Float.NaN;
            params.get(poisoned).array().set(w);
            Map<String, float[]> before = new java.util.HashMap<>();
            params.forEach((name, p) -> before.put(name, p.array().toFloatArray()));
            OptimizerStep.Result r = new OptimizerStep(model.classifier(), adamW, GradientMask.NONE, 1.0,
                    TrainingHooks.NONE, fusedOnHost).run(List.of(batch), 0, LR, false);
            assertTrue(r.skipped());
            assertTrue(Double.isNaN(r.loss()));
            assertEquals("bert.embeddings.word_embeddings.weight", r.nonFiniteGradient(),
                    "the first parameter in the model's order whose gradient the NaN reached");
            params.forEach((name, p) -> assertTrue(java.util.Arrays.equals(before.get(name), p.array().toFloatArray()),
                    name + " is unchanged by a skipped step"));
            for (Parameter p : params.values()) {
                try (NDArray g = p.array().getGradient()) {
                    assertEquals(0f, g.abs().max().getFloat(), "gradients are cleared for the next step");
                }
            }
        }
    }
}
