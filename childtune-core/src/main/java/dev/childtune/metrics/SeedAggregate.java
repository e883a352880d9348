package dev.childtune.metrics;

import dev.childtune.ChildTuneException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One metric summarized over runs that differ only in their random seed.
 *
 * @param n the number of runs
 * @param mean the arithmetic mean
 * @param std the sample standard deviation, {@code sqrt(sum (x - mean)^2 / (n - 1))}; NaN for a
 *     single run, as NumPy's {@code std(ddof=1)} gives
 * @param min the smallest value
 * @param max the largest value
 */
public record SeedAggregate(int n, double mean, double std, double min, double max) {
    /**
     * Summarizes the values of one metric, one per seed.
     *
     * @throws ChildTuneException when there are no values
     */
    public static SeedAggregate of(double... values) {
        if (values.length == 0) {
            throw new ChildTuneException("no runs to aggregate");
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        double mean = sum / values.length;
        double squaredDeviations = 0;
        for (double value : values) {
            squaredDeviations += (value - mean) * (value - mean);
        }
        double std =
                values.length == 1
                        ? Double.NaN
                        : Math.sqrt(squaredDeviations / (values.length - 1));
        return new SeedAggregate(values.length, mean, std, min, max);
    }

    /** Summarizes the values of one metric, one per seed. */
    public static SeedAggregate of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Summarizes every metric of several runs, such as the maps {@link Metrics#compute} returns,
     * one per seed. The result has the keys of the first run, in its order.
     *
     * @throws ChildTuneException when there are no runs or the runs do not all have the same
     *     metrics
     */
    public static LinkedHashMap<String, SeedAggregate> byMetric(
            List<? extends Map<String, Double>> runs) {
        if (runs.isEmpty()) {
            throw new ChildTuneException("no runs to aggregate");
        }
        Set<String> names = runs.get(0).keySet();
        for (Map<String, Double> run : runs) {
            if (!run.keySet().equals(names)) {
                throw new ChildTuneException(
                        "runs report different metrics: " + names + " vs " + run.keySet());
            }
        }
        LinkedHashMap<String, SeedAggregate> aggregates = new LinkedHashMap<>();
        for (String name : names) {
            aggregates.put(name, of(runs.stream().map(run -> run.get(name)).toList()));
        }
        return aggregates;
    }
}
