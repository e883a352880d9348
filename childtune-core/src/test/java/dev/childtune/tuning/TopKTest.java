package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.childtune.model.PretrainedModel;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Top-K tuning on the 3-layer fixture BERT with K = 1. */
class TopKTest {
    @TempDir
    Path tmp;

    @Test
    void frozenWeightsStayBitIdenticalAndHaveNoGradientNorOptimizerState() throws Exception {
        try (PretrainedModel model = Baselines.bert(); NDManager manager = model.manager().newSubManager()) {
            List<Batch> batches = Baselines.batches(manager);
            try (FineTuning.Prepared prepared = Baselines.prepare(
                    FineTuning.builder().base(BaseMethod.TOP_K).optTopK(1).build(), model, batches, tmp);
                    AdamW adamW = Baselines.optimizer(model, prepared, 0.01)) {
                Map<String, float[]> before = Baselines.weights(model);
                OptimizerStep step = Baselines.stepper(model, adamW, prepared);
                for (int t = 0; t < 3; t++) {
                    step.run(List.of(batches.get(t)), t, 1e-3, true);
                }
                Map<String, float[]> after = Baselines.weights(model);
                Set<String> trained = before.keySet().stream()
                        .filter(n -> n.startsWith("bert.encoder.layer.2.") || n.startsWith("bert.pooler.")
                                || n.startsWith("classifier."))
                        .collect(Collectors.toSet());
                assertEquals(16 + 2 + 2, trained.size(), "layer 2, pooler, head");
                for (String name : before.keySet()) {
                    if (trained.contains(name)) {
                        assertFalse(Arrays.equals(before.get(name), after.get(name)), name + " trains");
                        assertTrue(model.classifier().namedParameters().get(name).array().hasGradient());
                    } else {
                        assertArrayEquals(before.get(name), after.get(name), name + " is frozen");
                        assertFalse(model.classifier().namedParameters().get(name).array().hasGradient(),
                                name + ": autograd computes no gradient for a frozen weight");
                    }
                }
                Set<String> withState = adamW.state().keySet().stream().filter(k -> k.startsWith("exp_avg."))
                        .map(k -> k.substring("exp_avg.".length())).collect(Collectors.toSet());
                assertEquals(trained, withState, "moments exist for trained parameters only");
                assertEquals(37L, prepared.details().get("frozen_tensors").getAsLong());
            }
        }
    }

    @Test
    void kZeroTrainsOnlyPoolerAndHead() {
        try (PretrainedModel model = Baselines.bert()) {
            var trainable = TopK.trainable(model.classifier(), 0);
            assertTrue(trainable.test("bert.pooler.dense.weight"));
            assertTrue(trainable.test("classifier.bias"));
            assertFalse(trainable.test("bert.encoder.layer.2.output.dense.weight"));
            assertFalse(trainable.test("bert.embeddings.LayerNorm.weight"));
            var all = TopK.trainable(model.classifier(), 3);
            assertTrue(all.test("bert.encoder.layer.0.attention.self.query.weight"));
            assertFalse(all.test("bert.embeddings.word_embeddings.weight"), "embeddings stay frozen even at K = L");
        }
    }
}
