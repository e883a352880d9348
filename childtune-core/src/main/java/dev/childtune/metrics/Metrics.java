package dev.childtune.metrics;

import dev.childtune.ChildTuneException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The GLUE metrics with the semantics of the Python functions Hugging Face's {@code glue} metric
 * calls: scikit-learn's {@code accuracy_score}-style mean, {@code f1_score} and {@code
 * matthews_corrcoef}, and SciPy's {@code pearsonr} and {@code spearmanr}.
 *
 * <p>Every function takes the predictions first and the gold values second, both of the same
 * non-zero length. All five metrics are symmetric in their two arguments, so the order does not
 * change the value.
 */
public final class Metrics {
    /** The key of the mean of the other metrics, added when two or more are computed. */
    public static final String COMBINED_SCORE = "combined_score";

    private Metrics() {}

    /**
     * Computes classification metrics, as run_glue's {@code compute_metrics} reports them: one
     * entry per name, in the given order, then {@value #COMBINED_SCORE} (their mean) when two or
     * more names are given.
     *
     * @param metricNames Hugging Face names of {@link Metric}s that score classes
     * @throws ChildTuneException for an unknown, repeated or regression metric name, an empty name
     *     list, or arrays that are empty or differ in length
     */
    public static LinkedHashMap<String, Double> compute(
            List<String> metricNames, int[] predictedClasses, int[] goldClasses) {
        checkLengths(predictedClasses.length, goldClasses.length);
        return computeAll(
                metricNames,
                false,
                metric ->
                        switch (metric) {
                            case ACCURACY -> accuracy(predictedClasses, goldClasses);
                            case F1 -> f1(predictedClasses, goldClasses);
                            case MATTHEWS_CORRELATION ->
                                    matthewsCorrelation(predictedClasses, goldClasses);
                            // computeAll has rejected regression metrics
                            case PEARSON, SPEARMANR -> throw new AssertionError(metric);
                        });
    }

    /**
     * Computes regression metrics; as {@link #compute(List, int[], int[])}, for the metrics that
     * score real values ({@code pearson}, {@code spearmanr}).
     *
     * @throws ChildTuneException for an unknown, repeated or classification metric name, an empty
     *     name list, or arrays that are empty or differ in length
     */
    public static LinkedHashMap<String, Double> compute(
            List<String> metricNames, double[] predicted, double[] gold) {
        checkLengths(predicted.length, gold.length);
        return computeAll(
                metricNames,
                true,
                metric ->
                        switch (metric) {
                            case PEARSON -> pearson(predicted, gold);
                            case SPEARMANR -> spearman(predicted, gold);
                            // computeAll has rejected classification metrics
                            case ACCURACY, F1, MATTHEWS_CORRELATION ->
                                    throw new AssertionError(metric);
                        });
    }

    /** The fraction of positions where the prediction equals the gold class. */
    public static double accuracy(int[] predicted, int[] gold) {
        checkLengths(predicted.length, gold.length);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == gold[i]) {
                correct++;
            }
        }
        return (double) correct / predicted.length;
    }

    /**
     * Binary F1 with positive class 1: {@code 2 tp / (2 tp + fp + fn)}. It is 0 when there is no
     * true positive, including when neither array contains a 1, where scikit-learn's {@code
     * f1_score} divides 0 by 0 and returns 0 ({@code zero_division} "warn" or 0).
     *
     * @throws ChildTuneException when a class is neither 0 nor 1
     */
    public static double f1(int[] predicted, int[] gold) {
        checkLengths(predicted.length, gold.length);
        int truePositives = 0;
        int falsePositives = 0;
        int falseNegatives = 0;
        for (int i = 0; i < predicted.length; i++) {
            checkBinary(predicted[i], "predicted");
            checkBinary(gold[i], "gold");
            if (predicted[i] == 1 && gold[i] == 1) {
                truePositives++;
            } else if (predicted[i] == 1) {
                falsePositives++;
            } else if (gold[i] == 1) {
                falseNegatives++;
            }
        }
        if (truePositives == 0) {
            return 0;
        }
        return 2.0 * truePositives / (2.0 * truePositives + falsePositives + falseNegatives);
    }

    /**
     * The Matthews correlation coefficient by scikit-learn's multi-class formula, which for two
     * classes equals {@code (tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))}. With {@code n}
     * examples, {@code c} correct ones, and {@code t_k}, {@code p_k} the number of gold and
     * predicted examples of class {@code k}:
     *
     * <pre>
     * MCC = (c n - sum t_k p_k) / sqrt((n^2 - sum p_k^2) (n^2 - sum t_k^2))
     * </pre>
     *
     * It is 0 when the denominator is 0, that is when all predictions or all gold labels are of one
     * class. Classes may be any integers.
     */
    public static double matthewsCorrelation(int[] predicted, int[] gold) {
        checkLengths(predicted.length, gold.length);
        // class -> {gold count t_k, predicted count p_k}
        Map<Integer, long[]> counts = new HashMap<>();
        long correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            counts.computeIfAbsent(gold[i], k -> new long[2])[0]++;
            counts.computeIfAbsent(predicted[i], k -> new long[2])[1]++;
            if (predicted[i] == gold[i]) {
                correct++;
            }
        }
        double n = predicted.length;
        double goldTimesPredicted = 0;
        double predictedSquared = 0;
        double goldSquared = 0;
        for (long[] goldAndPredicted : counts.values()) {
            long goldCount = goldAndPredicted[0];
            long predictedCount = goldAndPredicted[1];
            goldTimesPredicted += (double) goldCount * predictedCount;
            goldSquared += (double) goldCount * goldCount;
            predictedSquared += (double) predictedCount * predictedCount;
        }
        double covGoldPredicted = correct * n - goldTimesPredicted;
        double covPredicted = n * n - predictedSquared;
        double covGold = n * n - goldSquared;
        if (covPredicted * covGold == 0) {
            return 0;
        }
        return covGoldPredicted / Math.sqrt(covPredicted * covGold);
    }

    /**
     * The Pearson correlation coefficient, as SciPy's {@code pearsonr} computes it: {@code sum(dx
     * dy) / (|dx| |dy|)} with {@code dx = x - mean(x)}, {@code dy = y - mean(y)}, clipped to [-1,
     * 1]. Like SciPy, it is NaN when either input is constant (all values exactly equal) and when
     * an input holds NaN.
     *
     * @throws ChildTuneException for fewer than two values (SciPy raises too)
     */
    public static double pearson(double[] x, double[] y) {
        checkCorrelationLengths(x.length, y.length);
        if (isConstant(x) || isConstant(y)) {
            return Double.NaN;
        }
        double[] dx = centered(x);
        double[] dy = centered(y);
        double normX = norm(dx);
        double normY = norm(dy);
        double r = 0;
        for (int i = 0; i < dx.length; i++) {
            r += (dx[i] / normX) * (dy[i] / normY);
        }
        // max/min keep NaN, as NumPy's clip does
        return Math.max(-1, Math.min(1, r));
    }

    /**
     * The Spearman rank correlation coefficient, as SciPy's {@code spearmanr}: the Pearson
     * correlation of the {@linkplain #averageRanks average ranks}, where tied values share the mean
     * of the ranks they span. NaN when an input is constant or holds NaN (SciPy's default {@code
     * nan_policy="propagate"}).
     *
     * @throws ChildTuneException for fewer than two values
     */
    public static double spearman(double[] x, double[] y) {
        checkCorrelationLengths(x.length, y.length);
        if (hasNaN(x) || hasNaN(y)) {
            return Double.NaN;
        }
        return pearson(averageRanks(x), averageRanks(y));
    }

    /**
     * The 1-based ranks of the values, ties getting the mean of the ranks they span, as SciPy's
     * {@code rankdata(method="average")}: [10, 20, 20, 30] has ranks [1, 2.5, 2.5, 4].
     */
    static double[] averageRanks(double[] values) {
        Integer[] order = new Integer[values.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[values.length];
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length && values[order[end]] == values[order[start]]) {
                end++;
            }
            // sorted positions start..end-1 are ranks start+1..end, whose mean is:
            double rank = (start + 1 + end) / 2.0;
            for (int i = start; i < end; i++) {
                ranks[order[i]] = rank;
            }
            start = end;
        }
        return ranks;
    }

    private static LinkedHashMap<String, Double> computeAll(
            List<String> metricNames, boolean regression, ToDoubleFunction<Metric> function) {
        if (metricNames.isEmpty()) {
            throw new ChildTuneException("no metric names given");
        }
        LinkedHashMap<String, Double> results = new LinkedHashMap<>();
        for (String name : metricNames) {
            Metric metric = Metric.fromName(name);
            if (metric.regression() != regression) {
                throw new ChildTuneException(
                        "metric "
                                + name
                                + " scores "
                                + (metric.regression() ? "regression outputs" : "classes")
                                + ", but the predictions are "
                                + (regression ? "regression outputs" : "classes"));
            }
            if (results.containsKey(name)) {
                throw new ChildTuneException("metric " + name + " is asked for twice");
            }
            results.put(name, function.applyAsDouble(metric));
        }
        if (results.size() > 1) {
            double sum = 0;
            for (double value : results.values()) {
                sum += value;
            }
            results.put(COMBINED_SCORE, sum / results.size());
        }
        return results;
    }

    private static void checkLengths(int predictedLength, int goldLength) {
        if (predictedLength != goldLength) {
            throw new ChildTuneException(
                    "predictions and gold values differ in length: "
                            + predictedLength
                            + " vs "
                            + goldLength);
        }
        if (predictedLength == 0) {
            throw new ChildTuneException("no predictions to score");
        }
    }

    private static void checkCorrelationLengths(int predictedLength, int goldLength) {
        checkLengths(predictedLength, goldLength);
        if (predictedLength < 2) {
            throw new ChildTuneException(
                    "a correlation needs at least 2 values, got " + predictedLength);
        }
    }

    private static void checkBinary(int label, String which) {
        if (label != 0 && label != 1) {
            throw new ChildTuneException(
                    "binary F1 needs classes 0 and 1, but a " + which + " class is " + label);
        }
    }

    private static double[] centered(double[] values) {
        double mean = 0;
        for (double value : values) {
            mean += value;
        }
        mean /= values.length;
        double[] centered = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            centered[i] = values[i] - mean;
        }
        return centered;
    }

    private static double norm(double[] values) {
        double sumOfSquares = 0;
        for (double value : values) {
            sumOfSquares += value * value;
        }
        return Math.sqrt(sumOfSquares);
    }

    private static boolean isConstant(double[] values) {
        for (double value : values) {
            if (value != values[0]) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasNaN(double[] values) {
        for (double value : values) {
            if (Double.isNaN(value)) {
                return true;
            }
        }
        return false;
    }
}
