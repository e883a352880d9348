package dev.childtune.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The selection-based percentile equals numpy's sort-based one, ties and extremes included. */
class PercentileTest {
    /** numpy 1.24's linear method on a sorted copy: the reference the selection must equal. */
    private static double sortedPercentile(float[] all, double q) {
        float[] x = all.clone();
        Arrays.sort(x);
        double h = q / 100.0 * (x.length - 1);
        int lo = (int) Math.floor(h);
        double t = h - lo;
        float a = x[lo];
        float b = x[Math.min(lo + 1, x.length - 1)];
        double diff = (float) (b - a);
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    @Test
    void equalsSortingOnRandomTensorsWithTies() {
        Random random = new Random(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> tensors = new ArrayList<>();
            List<Float> all = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                float[] values = new float[100 + random.nextInt(900)];
                for (int i = 0; i < values.length; i++) {
                    // squared gradients: many tiny values, exact zeros and repeated values
                    values[i] = i % 17 == 0 ? 0f : i % 13 == 0 ? 0.25f : (float) Math.pow(random.nextGaussian(), 2) * 1e-4f;
                    all.add(values[i]);
                }
                tensors.add(manager.create(values));
            }
            float[] flat = new float[all.size()];
            for (int i = 0; i < flat.length; i++) flat[i] = all.get(i);
            for (double q : new double[] {0, 10, 33.3, 50, 70, 80, 90, 99.9, 100}) {
                assertEquals(sortedPercentile(flat, q), Percentile.of(tensors, q), 0.0, "q = " + q);
            }
        }
    }

    /** The two selections (radix on the host, bisection for a GPU) find the same order statistics. */
    @Test
    void radixSelectionAndBisectionAgree() {
        Random random = new Random(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> tensors = new ArrayList<>();
            int n = 0;
            for (int t = 0; t < 3; t++) {
                float[] values = new float[300_000];
                for (int i = 0; i < values.length; i++) {
                    values[i] = i % 11 == 0 ? -0f : i % 7 == 0 ? 3e-9f : (float) Math.pow(random.nextGaussian(), 4) * 1e-7f;
                }
                tensors.add(manager.create(values));
                n += values.length;
            }
            for (long k : new long[] {0, 1, n / 11, n / 3, n / 2, (long) (0.9 * n), n - 2, n - 1}) {
                assertEquals(Percentile.bisect(tensors, k), Percentile.orderStatistic(tensors, k), 0f, "k = " + k);
            }
        }
    }
}
