package dev.childtune.tuning;

import static dev.childtune.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.model.PretrainedModel;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.train.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ChildTuning-D against the reference (fixtures/childtuning, dropout off): the Fisher scores of
 * the 48 eligible tensors, the global threshold, the mask, and the per-layer shares.
 */
class ChildTuningFixtureTest {
    @TempDir
    Path tmp;

    @Test
    void fisherThresholdAndMaskMatchTheReference() throws IOException {
        Map<String, TensorData> expected = SafeTensors.read(Fixtures.fixture("childtuning/expected.safetensors"));
        double expectedThreshold = expected.get("threshold").toDoubles()[0];
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert"));
                NDManager manager = model.manager().newSubManager()) {
            List<Batch> batches = FixtureBatch.readAll(Fixtures.fixture("childtuning/batches.json"), manager);
            FisherInformation.Estimate fisher = FisherInformation.estimate(model.classifier(), batches, 1.0,
                    FisherInformation.REFERENCE_SCOPE, false, manager);
            assertEquals(48, fisher.scores().size(), "eligible tensors: names containing 'layer'");
            assertClose("fisher_batch_losses", fisher.batchLosses(), expected.get("fisher_batch_losses").toFloats(),
                    1e-5, 0);
            for (Map.Entry<String, NDArray> e : fisher.scores().entrySet()) {
                assertClose("fisher." + e.getKey(), e.getValue().toFloatArray(),
                        expected.get("fisher." + e.getKey()).toFloats(), 1e-6 * expectedThreshold, 1e-4);
            }
            try (ChildMask mask = ChildMask.fromFisher(fisher.scores(), 0.3, manager)) {
                assertEquals(expectedThreshold, mask.threshold(), 1e-5 * expectedThreshold);
                for (Map.Entry<String, NDArray> e : mask.masks().entrySet()) {
                    long[] want = expected.get("mask." + e.getKey()).toLongs();
                    float[] got = e.getValue().toFloatArray();
                    long[] gotBits = new long[got.length];
                    for (int i = 0; i < got.length; i++) gotBits[i] = (long) got[i];
                    assertArrayEquals(want, gotBits, "mask." + e.getKey());
                }
                assertArrayEquals(new long[] {6110, 20367}, mask.keptAndTotal());
                JsonObject summary = mask.summary();
                JsonObject perLayer = summary.getAsJsonObject("kept_fraction_per_layer");
                assertEquals(0.35248195610546473, perLayer.get("0").getAsDouble(), 1e-12);
                assertEquals(0.2935631168065989, perLayer.get("1").getAsDouble(), 1e-12);
                assertEquals(0.25394019737811163, perLayer.get("2").getAsDouble(), 1e-12);
                assertEquals(java.util.Set.of("query", "key", "value", "attention.output.dense",
                        "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"),
                        summary.getAsJsonObject("kept_fraction_per_module").keySet());

                // The mask survives a save and load unchanged.
                Path file = tmp.resolve("mask.safetensors");
                mask.save(file, fisher.scores());
                try (ChildMask reloaded = ChildMask.load(file, manager)) {
                    assertEquals(mask.threshold(), reloaded.threshold());
                    assertArrayEquals(mask.keptAndTotal(), reloaded.keptAndTotal());
                    for (String name : mask.masks().keySet()) {
                        assertArrayEquals(mask.masks().get(name).toFloatArray(),
                                reloaded.masks().get(name).toFloatArray(), name);
                    }
                }
            }
        }
    }
}
