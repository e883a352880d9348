package dev.childtune.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Dropout with masks drawn in Java: rate, scale, gradient, reproducibility from the engine's seed. */
class DropoutTest {
    private static final int N = 1 << 20;

    @Test
    void dropsAFractionPAndScalesTheRest() {
        double p = 0.1;
        try (NDManager manager = NDManager.newBaseManager(); NDArray x = manager.full(new Shape(4, N / 4), 3f)) {
            float[] y = new Dropout(p).forward(x, true).toFloatArray();
            long kept = 0;
            for (float v : y) {
                assertTrue(v == 0f || v == 3f / 0.9f, "kept values are x / (1 − p): " + v);
                if (v != 0f) {
                    kept++;
                }
            }
            double sd = Math.sqrt(N * p * (1 - p));
            assertEquals(N * (1 - p), kept, 4 * sd, "kept " + kept + " of " + N);
            assertSame(x, new Dropout(p).forward(x, false), "the identity outside training");
        }
    }

    @Test
    void theEngineSeedDeterminesTheMaskAndSlicesDiffer() {
        try (NDManager manager = NDManager.newBaseManager(); NDArray x = manager.ones(new Shape(3 * (1 << 16) + 5))) {
            Dropout dropout = new Dropout(0.5);
            Engine.getInstance().setRandomSeed(11);
            float[] a = dropout.forward(x, true).toFloatArray();
            float[] b = dropout.forward(x, true).toFloatArray();
            Engine.getInstance().setRandomSeed(11);
            float[] again = dropout.forward(x, true).toFloatArray();
            assertArrayEquals(a, again, "the same engine seed, the same masks");
            assertFalse(Arrays.equals(a, b), "the next call draws another mask");
            float[] first = Arrays.copyOfRange(a, 0, 1 << 16);
            float[] second = Arrays.copyOfRange(a, 1 << 16, 2 << 16);
            assertFalse(Arrays.equals(first, second), "slices have their own streams");
        }
    }

    @Test
    void theGradientIsTheMaskTimesTheScale() {
        try (NDManager manager = NDManager.newBaseManager(); NDArray x = manager.ones(new Shape(1000))) {
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = new Dropout(0.25).forward(x, true);
                y = out.toFloatArray();
                collector.backward(out.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            long dropped = 0;
            for (int i = 0; i < g.length; i++) {
                assertEquals(y[i], g[i], 1e-6, "d(x·m/(1−p))/dx = m/(1−p) at " + i);
                dropped += y[i] == 0f ? 1 : 0;
            }
            assertTrue(dropped > 150 && dropped < 350, "about a quarter dropped: " + dropped);
        }
    }
}
