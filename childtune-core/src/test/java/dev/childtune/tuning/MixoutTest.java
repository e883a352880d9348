package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.nn.Parameter;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import dev.childtune.train.WeightSubstitution;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mixout on the encoder's Linear weights. */
class MixoutTest {
    @TempDir
    Path tmp;

    /** Three steps (dropout off) with Mixout at p, or plain when p is null; the weights after. */
    private Map<String, float[]> train(Double p) throws Exception {
        try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager()) {
            List<Batch> batches = Baselines.batches(manager);
            FineTuning method = p == null ? FineTuning.builder().build()
                    : FineTuning.builder().base(BaseMethod.MIXOUT).optMixoutP(p).build();
            try (FineTuning.Prepared prepared = Baselines.prepare(method, model, batches, tmp);
                    AdamW adamW = Baselines.optimizer(model, prepared, 0.01)) {
                OptimizerStep step = Baselines.stepper(model, adamW, prepared);
                int[] live = new int[3];
                for (int t = 0; t < 3; t++) {
                    Engine.getInstance().setRandomSeed(1000 + t);
                    step.run(List.of(batches.get(t)), t, 1e-3, false);
                    live[t] = model.manager().getManagedArrays().size();
                }
                assertEquals(live[0], live[2], "the mixed weights and masks die with their step");
                return Baselines.weights(model);
            }
        }
    }

    @Test
    void pZeroEqualsPlainTrainingBitForBit() throws Exception {
        Map<String, float[]> plain = train(null);
        Map<String, float[]> mixoutZero = train(0.0);
        plain.forEach((name, v) -> assertArrayEquals(v, mixoutZero.get(name), name));
        Map<String, float[]> mixout = train(0.9);
        assertFalse(Arrays.equals(plain.get("bert.encoder.layer.0.attention.self.query.weight"),
                mixout.get("bert.encoder.layer.0.attention.self.query.weight")), "p = 0.9 changes training");
    }

    /** Each element is the pretrained value or (w − p·u)/(1 − p); the draws average to the weight. */
    @Test
    void expectationOfTheMixedWeightIsTheWeight() {
        double p = 0.7;
        int draws = 1000;
        try (NDManager manager = NDManager.newBaseManager()) {
            int n = 37 * 32;
            float[] w = new float[n];
            float[] u = new float[n];
            java.util.Random random = new java.util.Random(5);
            for (int i = 0; i < n; i++) {
                u[i] = (float) random.nextGaussian() * 0.2f;
                w[i] = u[i] + (float) random.nextGaussian() * 0.05f;
            }
            NDArray wArray = manager.create(w, new ai.djl.ndarray.types.Shape(37, 32));
            NDArray uArray = manager.create(u, new ai.djl.ndarray.types.Shape(37, 32));
            double[] sum = new double[n];
            long pretrainedPicks = 0;
            Engine.getInstance().setRandomSeed(11);
            for (int d = 0; d < draws; d++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    float[] mixed = Mixout.mix(wArray, uArray, p).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        float kept = (float) ((w[i] - p * u[i]) / (1 - p));
                        boolean isPretrained = Math.abs(mixed[i] - u[i]) <= 1e-6;
                        assertTrue(isPretrained || Math.abs(mixed[i] - kept) <= 1e-5, "element " + i + " = " + mixed[i]);
                        pretrainedPicks += isPretrained ? 1 : 0;
                        sum[i] += mixed[i];
                    }
                }
            }
            assertEquals(p, (double) pretrainedPicks / ((long) n * draws), 0.005, "share of pretrained values");
            for (int i = 0; i < n; i++) {
                double sd = Math.sqrt(p / (1 - p)) * Math.abs(w[i] - u[i]) / Math.sqrt(draws);
                assertEquals(w[i], sum[i] / draws, 5 * sd + 1e-6, "mean of element " + i);
            }
        }
    }

    /** The substitution exists only while installed: evaluation forwards are deterministic and unmixed. */
    @Test
    void offOutsideTheTrainingPassAndOnlyOnEncoderLinears() throws Exception {
        try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager()) {
            List<Batch> batches = Baselines.batches(manager);
            try (FineTuning.Prepared prepared = Baselines.prepare(
                    FineTuning.builder().base(BaseMethod.MIXOUT).build(), model, batches, tmp)) {
                assertEquals(0.9, prepared.details().get("mixout_p").getAsDouble());
                assertEquals(3 * 6, prepared.details().get("mixout_tensors").getAsInt(),
                        "query, key, value, attention output, intermediate, output of each of 3 layers");
                assertEquals(18, prepared.pretrained().names().size(), "only those weights are kept");
                assertTrue(prepared.pretrained().names().stream().allMatch(n -> n.startsWith("bert.encoder.layer.")));
                // Move the weights away from the pretrained ones, so that mixing shows.
                for (Parameter p : model.classifier().namedParameters().values()) {
                    p.array().addi(0.05f);
                }
                Batch batch = batches.get(0);
                float[] evaluation = model.classifier().forward(batch.inputs(), false).logits().toFloatArray();
                float[] mixed;
                try (WeightSubstitution.Installed installed = prepared.hooks().substitution().install()) {
                    mixed = model.classifier().forward(batch.inputs(), false).logits().toFloatArray();
                }
                assertFalse(Arrays.equals(evaluation, mixed), "installed, the forward pass mixes");
                assertArrayEquals(evaluation, model.classifier().forward(batch.inputs(), false).logits().toFloatArray(),
                        "removed, the forward pass reads the stored weights");
            }
        }
    }
}
