package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * numpy's default {@code percentile} (linear interpolation between order statistics) over the
 * values of many non-negative float32 tensors together, found without sorting or copying them:
 * each order statistic is located by bisection on the float's bit pattern (monotonic for
 * non-negative floats), counting {@code values <= candidate} on the engine. About 32 counting
 * passes per order statistic, whatever the number of values (BERT-large has 300M).
 */
public final class Percentile {
    private Percentile() {}

    /**
     * @param q the percentile, 0 to 100
     * @return {@code x[lo] + (x[lo+1] − x[lo]) · t} with {@code h = q/100 · (n − 1)}, as numpy 1.24
     *     computes it (the difference in float32, the rest in double)
     */
    public static double of(Collection<NDArray> values, double q) {
        long n = 0;
        for (NDArray v : values) {
            n += v.size();
        }
        if (n == 0) {
            throw new IllegalArgumentException("no values");
        }
        double h = q / 100.0 * (n - 1);
        long lo = (long) Math.floor(h);
        double t = h - lo;
        float a = orderStatistic(values, lo);
        float b = lo + 1 < n ? orderStatistic(values, lo + 1) : a;
        double difference = (float) (b - a);
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
    }

    /** The k-th smallest value (0-based) of all values together. */
    static float orderStatistic(Collection<NDArray> values, long k) {
        int low = 0; // bits of +0.0
        int high = 0x7F800000; // bits of +infinity
        while (low < high) {
            int mid = low + (high - low) / 2;
            if (countAtMost(values, Float.intBitsToFloat(mid)) > k) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return Float.intBitsToFloat(low);
    }

    private static long countAtMost(Collection<NDArray> values, float bound) {
        long count = 0;
        for (NDArray v : values) {
            try (NDArray atMost = v.lte(bound); NDArray sum = atMost.countNonzero()) {
                count += sum.getLong();
            }
        }
        return count;
    }
}
