package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ChildTuning-F's masks: keep rate p, unbiased in expectation, reproducible from the seed. */
class ChildTuningFTest {
    private static final int N = 200_000;

    private static float[] masked(NDManager manager, float[] gradient, double p, long seed, int step) {
        try (NDArray g = manager.create(gradient)) {
            new ChildTuningF(p, seed).apply(Map.of("w", g), step);
            return g.toFloatArray();
        }
    }

    @Test
    void keepsAFractionPAndRescalesByOneOverP() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] ones = new float[N];
            java.util.Arrays.fill(ones, 1f);
            double p = 0.3;
            float[] out = masked(manager, ones, p, 42, 0);
            long kept = 0;
            for (float v : out) {
                assertTrue(v == 0f || Math.abs(v - 1 / p) < 1e-6, "kept values are g / p: " + v);
                if (v != 0) kept++;
            }
            double sd = Math.sqrt(N * p * (1 - p));
            assertTrue(Math.abs(kept - N * p) < 4 * sd, "kept " + kept + " of " + N + " (expected " + N * p + " ± " + 4 * sd + ")");
        }
    }

    @Test
    void theMaskedGradientIsUnbiased() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] g = {0.5f, -1.5f, 2.0f, 0.01f};
            double[] sum = new double[g.length];
            int draws = 4000;
            float[] big = new float[g.length * 50];
            for (int i = 0; i < big.length; i++) big[i] = g[i % g.length];
            for (int step = 0; step < draws / 50; step++) {
                float[] out = masked(manager, big, 0.2, 7, step);
                for (int i = 0; i < out.length; i++) sum[i % g.length] += out[i];
            }
            for (int i = 0; i < g.length; i++) {
                double mean = sum[i] / draws;
                double sdOfMean = Math.abs(g[i]) * Math.sqrt((1 - 0.2) / 0.2 / draws);
                assertEquals(g[i], mean, 4 * sdOfMean, "E[g ⊙ M / p] = g for element " + i);
            }
        }
    }

    @Test
    void theSeedAndStepDetermineTheMask() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] ones = new float[1000];
            java.util.Arrays.fill(ones, 1f);
            assertArrayEquals(masked(manager, ones, 0.4, 42, 3), masked(manager, ones, 0.4, 42, 3));
            assertFalse(java.util.Arrays.equals(masked(manager, ones, 0.4, 42, 3), masked(manager, ones, 0.4, 52, 3)));
            assertFalse(java.util.Arrays.equals(masked(manager, ones, 0.4, 42, 3), masked(manager, ones, 0.4, 42, 4)));
            assertArrayEquals(ones, masked(manager, ones, 1.0, 42, 0), "p = 1 is plain fine-tuning");
        }
    }
}
