package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ChildTuning-F's masks: keep rate p, unbiased in expectation, reproducible from the seed. */
class ChildTuningFTest {
    private static final int N = 200_000;

    private static float[] masked(float[] gradient, double p, long seed, int step) {
        float[] g = gradient.clone();
        new ChildTuningF(p, seed).apply("w", 0, g, g.length, step);
        return g;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    @Test
    void keepsAFractionPAndRescalesByOneOverP() {
        double p = 0.3;
        float[] out = masked(filled(N, 1f), p, 42, 0);
        long kept = 0;
        for (float v : out) {
            assertTrue(v == 0f || v == 1f / (float) p, "kept values are g / p: " + v);
            if (v != 0) kept++;
        }
        double sd = Math.sqrt(N * p * (1 - p));
        assertTrue(Math.abs(kept - N * p) < 4 * sd, "kept " + kept + " of " + N + " (expected " + N * p + " ± " + 4 * sd + ")");
    }

    @Test
    void theMaskedGradientIsUnbiased() {
        float[] g = {0.5f, -1.5f, 2.0f, 0.01f};
        double[] sum = new double[g.length];
        int draws = 4000;
        float[] big = new float[g.length * 50];
        for (int i = 0; i < big.length; i++) big[i] = g[i % g.length];
        for (int step = 0; step < draws / 50; step++) {
            float[] out = masked(big, 0.2, 7, step);
            for (int i = 0; i < out.length; i++) sum[i % g.length] += out[i];
        }
        for (int i = 0; i < g.length; i++) {
            double mean = sum[i] / draws;
            double sdOfMean = Math.abs(g[i]) * Math.sqrt((1 - 0.2) / 0.2 / draws);
            assertEquals(g[i], mean, 4 * sdOfMean, "E[g ⊙ M / p] = g for element " + i);
        }
    }

    @Test
    void theSeedStepParameterAndPositionDetermineTheMask() {
        float[] ones = filled(1000, 1f);
        assertArrayEquals(masked(ones, 0.4, 42, 3), masked(ones, 0.4, 42, 3));
        assertFalse(Arrays.equals(masked(ones, 0.4, 42, 3), masked(ones, 0.4, 52, 3)));
        assertFalse(Arrays.equals(masked(ones, 0.4, 42, 3), masked(ones, 0.4, 42, 4)));
        assertArrayEquals(ones, masked(ones, 1.0, 42, 0), "p = 1 is plain fine-tuning");
        ChildTuningF f = new ChildTuningF(0.4, 42);
        float[] a = ones.clone();
        float[] b = ones.clone();
        f.apply("w", 0, a, a.length, 3);
        f.apply("w", 1000, b, b.length, 3);
        assertFalse(Arrays.equals(a, b), "another slice of the same tensor gets its own draws");
        f.apply("v", 0, b = ones.clone(), b.length, 3);
        assertFalse(Arrays.equals(a, b), "another tensor gets its own draws");
    }

    @Test
    void zeroGradientsStayZeroAndSpendNoDraw() {
        // Rows of a gradient that are zero (unused embedding rows) must not shift the draws of the others.
        float[] dense = filled(2000, 1f);
        float[] sparse = new float[4000];
        for (int i = 0; i < 2000; i++) sparse[2 * i + 1] = 1f;
        float[] d = masked(dense, 0.3, 5, 1);
        float[] s = masked(sparse, 0.3, 5, 1);
        for (int i = 0; i < 2000; i++) {
            assertEquals(0f, s[2 * i], "a zero gradient stays zero");
            assertEquals(d[i], s[2 * i + 1], "element " + i + " gets the same decision as without the zeros between");
        }
    }

    /** The engine-side mask (what a GPU runs): keep rate p, kept values g / p, the run's seed gives the same draws. */
    @Test
    void theEngineMaskKeepsAFractionPAndFollowsTheEngineSeed() {
        double p = 0.3;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                NDArray gradient = manager.full(new Shape(N), 2f)) {
            ChildTuningF f = new ChildTuningF(p, 42);
            Engine.getInstance().setRandomSeed(7);
            float[] first = f.apply("w", gradient, 0).toFloatArray();
            Engine.getInstance().setRandomSeed(7);
            float[] again = f.apply("w", gradient, 0).toFloatArray();
            float[] next = f.apply("w", gradient, 0).toFloatArray();
            long kept = 0;
            for (float v : first) {
                assertTrue(v == 0f || v == 2f / (float) p, "kept values are g / p: " + v);
                if (v != 0) kept++;
            }
            double sd = Math.sqrt(N * p * (1 - p));
            assertTrue(Math.abs(kept - N * p) < 4 * sd, "kept " + kept + " of " + N);
            assertArrayEquals(first, again, "the same engine seed, the same mask");
            assertFalse(Arrays.equals(first, next), "the next draw is another mask");
            assertArrayEquals(filled(N, 2f), gradient.toFloatArray(), "the gradient itself is left unchanged");
        }
    }
}
