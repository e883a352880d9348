package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import dev.childtune.model.Devices;
import dev.childtune.model.Tensors;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * numpy's default {@code percentile} (linear interpolation between order statistics) over the
 * values of many non-negative float32 tensors together, found without sorting or copying them.
 * A non-negative float's bit pattern orders like the float, so each order statistic is a radix
 * selection over the engine's own memory: one parallel pass counts the values per upper 16 bits,
 * a second counts, within the bucket that holds the rank, the lower 16 bits — two passes whatever
 * the number of values (BERT-large has 300M). Arrays off the host (a GPU) are bisected on the bit
 * pattern instead, counting {@code values <= candidate} on the device, about 32 passes.
 */
public final class Percentile {
    /** Values one task of a counting pass reads. */
    private static final int CHUNK = 1 << 20;

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
        if (values.stream().allMatch(v -> Devices.isHost(v.getDevice()))) {
            return radixSelect(values.stream().map(Tensors::view).toList(), k);
        }
        return bisect(values, k);
    }

    /** Two counting passes over the bit patterns: the upper 16 bits choose a bucket, the lower 16 the value. */
    private static float radixSelect(List<FloatBuffer> views, long k) {
        long[] upper = histogram(views, -1);
        int bucket = 0;
        long below = 0;
        while (below + upper[bucket] <= k) {
            below += upper[bucket++];
        }
        long[] lower = histogram(views, bucket);
        int low = 0;
        while (below + lower[low] <= k) {
            below += lower[low++];
        }
        return Float.intBitsToFloat(bucket << 16 | low);
    }

    /**
     * Counts per upper 16 bits of every value ({@code bucket} −1), or per lower 16 bits of the
     * values in one upper bucket. Zero of either sign counts as +0.
     */
    private static long[] histogram(List<FloatBuffer> views, int bucket) {
        record Chunk(FloatBuffer view, int start, int end) {}
        List<Chunk> chunks = new ArrayList<>();
        for (FloatBuffer v : views) {
            for (int start = 0; start < v.capacity(); start += CHUNK) {
                chunks.add(new Chunk(v, start, Math.min(v.capacity(), start + CHUNK)));
            }
        }
        return chunks.parallelStream().map(c -> {
            long[] counts = new long[1 << 16];
            for (int i = c.start(); i < c.end(); i++) {
                float x = c.view().get(i);
                int bits = x == 0f ? 0 : Float.floatToRawIntBits(x);
                if (bucket < 0) {
                    counts[bits >>> 16]++;
                } else if (bits >>> 16 == bucket) {
                    counts[bits & 0xFFFF]++;
                }
            }
            return counts;
        }).reduce(new long[1 << 16], (a, b) -> {
            long[] sum = new long[1 << 16];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = a[i] + b[i];
            }
            return sum;
        });
    }

    /** Bisection on the bit pattern, counting on the engine (arrays on a GPU). */
    static float bisect(Collection<NDArray> values, long k) {
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
