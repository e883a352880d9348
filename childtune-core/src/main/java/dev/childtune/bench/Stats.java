package dev.childtune.bench;

import java.util.ArrayList;
import java.util.List;

/** The few statistics the benchmark reports: medians, bests, paired ratios. */
public final class Stats {
    private Stats() {}

    /** The median (mean of the middle two for an even count); NaN for no values. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The largest value; NaN for no values. */
    public static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** The sum. */
    public static double sum(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    /** {@code a / b}, NaN when either is NaN or {@code b} is zero. */
    public static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
    }

    /** {@code a[i] / b[i]} for each round both measured (the paired ratios of interleaved rounds). */
    public static List<Double> pairedRatios(List<Double> a, List<Double> b) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            out.add(ratio(a.get(i), b.get(i)));
        }
        return out;
    }

    /** {@code numerator / value} for each value: seconds per unit of work to a rate. */
    public static List<Double> rates(double numerator, List<Double> seconds) {
        return seconds.stream().map(s -> ratio(numerator, s)).toList();
    }
}
