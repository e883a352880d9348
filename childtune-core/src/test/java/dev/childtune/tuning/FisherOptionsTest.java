package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.ChildTuneException;
import dev.childtune.model.PretrainedModel;
import dev.childtune.testing.FixtureBatch;
import dev.childtune.testing.Fixtures;
import dev.childtune.train.Batch;
import dev.childtune.train.Batcher;
import dev.childtune.train.EncodedDataset;
import dev.childtune.tuning.FisherInformation.Estimator;
import dev.childtune.tuning.FisherInformation.Options;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Fisher options beyond the reference: estimators, a sample cap, and the mask scope. */
class FisherOptionsTest {
    private static final double NO_CLIPPING = 1e30;

    private interface Body {
        void run(PretrainedModel model, List<Batch> batches, NDManager manager);
    }

    private static void withFixture(Body body) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(Fixtures.fixture("hf/bert"));
                NDManager manager = model.manager().newSubManager()) {
            body.run(model, FixtureBatch.readAll(Fixtures.fixture("childtuning/batches.json"), manager), manager);
        }
    }

    private static Map<String, NDArray> fisher(PretrainedModel model, List<Batch> batches, Options options,
            long seed, NDManager manager) {
        return FisherInformation.estimate(model.classifier(), batches, NO_CLIPPING, options, false, seed, manager,
                done -> { }).scores();
    }

    @Test
    void perExampleFisherBoundsTheBatchFisherFromAbove() throws IOException {
        withFixture((model, batches, manager) -> {
            // For one batch, mean(g_i²) >= (mean g_i)² element by element (Jensen).
            List<Batch> one = batches.subList(0, 1);
            Map<String, NDArray> perExample = fisher(model, one,
                    new Options(Estimator.PER_EXAMPLE, 0, FisherInformation.REFERENCE_SCOPE), 0, manager);
            Map<String, NDArray> batch = fisher(model, one, FisherInformation.REFERENCE, 0, manager);
            double strictlyLarger = 0;
            for (String name : batch.keySet()) {
                float[] p = perExample.get(name).toFloatArray();
                float[] b = batch.get(name).toFloatArray();
                for (int i = 0; i < p.length; i++) {
                    assertTrue(p[i] >= b[i] * (1 - 1e-4) - 1e-12, name + "[" + i + "]: " + p[i] + " < " + b[i]);
                    if (p[i] > b[i] * 1.01) {
                        strictlyLarger++;
                    }
                }
            }
            assertTrue(strictlyLarger > 1000, "examples disagree, so most scores grow: " + strictlyLarger);
        });
    }

    @Test
    void aSampleCapUsesTheFirstExamplesOnly() throws IOException {
        withFixture((model, batches, manager) -> {
            Map<String, NDArray> capped = fisher(model, batches,
                    new Options(Estimator.EMPIRICAL, 4, FisherInformation.REFERENCE_SCOPE), 0, manager);
            Map<String, NDArray> first = fisher(model, batches.subList(0, 1), FisherInformation.REFERENCE, 0, manager);
            for (String name : first.keySet()) {
                assertArrayEquals(first.get(name).toFloatArray(), capped.get(name).toFloatArray(), name);
            }
        });
    }

    @Test
    void sampledLabelsDependOnTheSeedAndDifferFromGold() throws IOException {
        withFixture((model, batches, manager) -> {
            Options sampled = new Options(Estimator.SAMPLED, 0, FisherInformation.REFERENCE_SCOPE);
            String name = "bert.encoder.layer.0.output.dense.weight";
            float[] a = fisher(model, batches, sampled, 1, manager).get(name).toFloatArray();
            float[] b = fisher(model, batches, sampled, 1, manager).get(name).toFloatArray();
            float[] c = fisher(model, batches, sampled, 2, manager).get(name).toFloatArray();
            float[] gold = fisher(model, batches, FisherInformation.REFERENCE, 1, manager).get(name).toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c));
            assertFalse(java.util.Arrays.equals(a, gold));
        });
    }

    @Test
    void scopesSelectTheNamedTensors() throws IOException {
        withFixture((model, batches, manager) -> {
            List<Batch> one = batches.subList(0, 1);
            assertEquals(48, fisher(model, one, new Options(Estimator.EMPIRICAL, 0, FisherInformation.scope("encoder")),
                    0, manager).size());
            assertEquals(57, fisher(model, one, new Options(Estimator.EMPIRICAL, 0, FisherInformation.scope("all")),
                    0, manager).size());
            assertEquals(List.of("classifier.weight", "classifier.bias"), List.copyOf(fisher(model, one,
                    new Options(Estimator.EMPIRICAL, 0, FisherInformation.scope("^classifier\\.")), 0, manager).keySet()));
        });
        assertThrows(ChildTuneException.class, () -> FisherInformation.scope("(unclosed"));
    }

    @Test
    void aPassBuiltOnDemandGivesTheSameScoresAndKeepsNoBatch() throws IOException {
        withFixture((model, fixtureBatches, manager) -> {
            List<EncodedDataset.Item> items = new ArrayList<>();
            Random random = new Random(7);
            for (int i = 0; i < 11; i++) {
                long[] ids = random.longs(3 + random.nextInt(9), 1, model.config().vocabSize()).toArray();
                items.add(new EncodedDataset.Item(ids, new long[ids.length], i % 2, Float.NaN));
            }
            Batcher batcher = new Batcher(new EncodedDataset(items, false), 4, 0, 0, false);
            List<int[]> order = batcher.trainingOrder(3, -1);
            for (Options options : List.of(FisherInformation.REFERENCE,
                    new Options(Estimator.PER_EXAMPLE, 6, FisherInformation.REFERENCE_SCOPE))) {
                Map<String, NDArray> built = fisher(model, batcher.batches(order, manager), options, 0, manager);
                try (NDManager batches = manager.newSubManager()) {
                    Map<String, NDArray> onDemand = fisher(model, batcher.onDemand(order, batches), options, 0, manager);
                    assertEquals(built.keySet(), onDemand.keySet());
                    for (String name : built.keySet()) {
                        assertArrayEquals(built.get(name).toFloatArray(), onDemand.get(name).toFloatArray(), name);
                    }
                    assertEquals(0, batches.getManagedArrays().size(), "every batch is closed after its use");
                }
            }
        });
    }
}
