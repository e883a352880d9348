package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.model.PretrainedModel;
import dev.childtune.train.AdamW;
import dev.childtune.train.GradientSlices;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer-wise learning-rate decay and re-initialising the top layers. */
class LayerModifiersTest {
    @TempDir
    Path tmp;

    @Test
    void llrdScalesEachLayerByItsDepthBelowTheHead() {
        try (PretrainedModel model = Baselines.bert()) {
            ToDoubleFunction<String> s = LayerwiseLrDecay.scales(model.classifier(), 0.5);
            assertEquals(1.0, s.applyAsDouble("classifier.weight"));
            assertEquals(1.0, s.applyAsDouble("bert.pooler.dense.bias"));
            assertEquals(0.5, s.applyAsDouble("bert.encoder.layer.2.output.dense.weight"));
            assertEquals(0.25, s.applyAsDouble("bert.encoder.layer.1.attention.self.key.bias"));
            assertEquals(0.125, s.applyAsDouble("bert.encoder.layer.0.output.LayerNorm.weight"));
            assertEquals(0.0625, s.applyAsDouble("bert.embeddings.word_embeddings.weight"));
            assertEquals(0.0625, s.applyAsDouble("bert.embeddings.LayerNorm.bias"));
        }
    }

    /** With the same gradients, every weight's first update (step and decay) is the plain one times its scale. */
    @Test
    void llrdScalesTheUpdateOfEachParameter() throws Exception {
        Map<String, float[]> start = null;
        Map<String, float[]>[] after = new Map[2];
        ToDoubleFunction<String> scales = null;
        for (int variant = 0; variant < 2; variant++) {
            try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager();
                    FineTuning.Prepared prepared = Baselines.prepare(variant == 0 ? FineTuning.builder().build()
                            : FineTuning.builder().optLlrd(0.5).build(), model, List.of(), tmp);
                    AdamW adamW = Baselines.optimizer(model, prepared, 0.01)) {
                start = Baselines.weights(model);
                scales = prepared.hooks().learningRateScale();
                Map<String, NDArray> gradients = new LinkedHashMap<>();
                Random random = new Random(4);
                model.classifier().namedParameters().forEach((name, p) -> {
                    float[] g = new float[(int) p.shape().size()];
                    for (int i = 0; i < g.length; i++) {
                        g[i] = (float) random.nextGaussian();
                    }
                    gradients.put(name, manager.create(g, p.shape()));
                });
                adamW.step(GradientSlices.of(gradients), 1e-3, 1f, GradientMask.NONE, 0);
                after[variant] = Baselines.weights(model);
            }
        }
        for (String name : start.keySet()) {
            double scale = scales.applyAsDouble(name);
            float[] s = start.get(name);
            for (int i = 0; i < s.length; i++) {
                double plain = after[0].get(name)[i] - s[i];
                double decayed = after[1].get(name)[i] - s[i];
                assertEquals(scale * plain, decayed, 1e-3 * Math.abs(scale * plain) + 1e-8, name + "[" + i + "]");
            }
        }
        assertEquals(0.0625, scales.applyAsDouble("bert.embeddings.position_embeddings.weight"));
    }

    @Test
    void reinitChangesExactlyTheTopLayersTensors() throws Exception {
        Map<String, float[]> first;
        try (PretrainedModel model = Baselines.bert()) {
            Map<String, float[]> before = Baselines.weights(model);
            try (FineTuning.Prepared prepared = Baselines.prepare(FineTuning.builder().optReinitLayers(1).build(), model,
                    List.of(), tmp)) {
                assertEquals(1, prepared.details().get("reinit_layers").getAsInt());
            }
            first = Baselines.weights(model);
            int changed = 0;
            for (String name : before.keySet()) {
                float[] b = before.get(name);
                float[] a = first.get(name);
                if (!name.startsWith("bert.encoder.layer.2.")) {
                    assertArrayEquals(b, a, name + " keeps its pretrained value");
                    continue;
                }
                changed++;
                assertFalse(Arrays.equals(a, b), name);
                if (name.endsWith("LayerNorm.weight")) {
                    for (float v : a) assertEquals(1f, v, name);
                } else if (name.endsWith("bias")) {
                    for (float v : a) assertEquals(0f, v, name);
                } else {
                    double sum = 0;
                    double squares = 0;
                    for (float v : a) {
                        sum += v;
                        squares += v * v;
                    }
                    double sd = Math.sqrt(squares / a.length - Math.pow(sum / a.length, 2));
                    assertEquals(0.2, sd, 0.03, name + ": normal(0, initializer_range)");
                }
            }
            assertEquals(16, changed, "every tensor of layer 2, nothing else");
        }
        try (PretrainedModel model = Baselines.bert();
                FineTuning.Prepared prepared = Baselines.prepare(FineTuning.builder().optReinitLayers(1).build(), model,
                        List.of(), tmp)) {
            Map<String, float[]> again = Baselines.weights(model);
            first.forEach((name, v) -> assertArrayEquals(v, again.get(name), "the same seed re-draws the same values"));
        }
    }

    /** Re-initialised tensors are not pretrained: WD-pre does not pull them. */
    @Test
    void reinitialisedLayersAreNotPulled() {
        try (PretrainedModel model = Baselines.bert();
                FineTuning.Prepared prepared = Baselines.prepare(
                        FineTuning.builder().base(BaseMethod.WD_PRE).optReinitLayers(2).build(), model, List.of(), tmp)) {
            assertTrue(prepared.pretrained().names().contains("bert.encoder.layer.0.output.dense.weight"));
            assertFalse(prepared.pretrained().names().contains("bert.encoder.layer.1.output.dense.weight"));
            assertFalse(prepared.pretrained().names().contains("classifier.weight"));
            assertEquals(5 + 16 + 2, prepared.pretrained().names().size(), "embeddings, layer 0, pooler");
        }
    }
}
