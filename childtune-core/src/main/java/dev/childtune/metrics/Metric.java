package dev.childtune.metrics;

import dev.childtune.ChildTuneException;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The evaluation metrics of the GLUE tasks, under the names Hugging Face's {@code glue} metric
 * gives them. The first three score predicted classes, the last two score regression outputs.
 */
public enum Metric {
    /** The fraction of predictions equal to the gold label. */
    ACCURACY("accuracy", false),
    /** Binary F1 with positive class 1. */
    F1("f1", false),
    /** Matthews correlation coefficient, binary or multi-class. */
    MATTHEWS_CORRELATION("matthews_correlation", false),
    /** Pearson correlation coefficient. */
    PEARSON("pearson", true),
    /** Spearman rank correlation coefficient. */
    SPEARMANR("spearmanr", true);

    private final String metricName;
    private final boolean regression;

    Metric(String metricName, boolean regression) {
        this.metricName = metricName;
        this.regression = regression;
    }

    /** The Hugging Face name, e.g. {@code matthews_correlation}: the key in result maps. */
    public String metricName() {
        return metricName;
    }

    /** Whether the metric scores regression outputs ({@code double}s) rather than classes. */
    public boolean regression() {
        return regression;
    }

    /** Whether a larger value is better; true for every GLUE metric. */
    public boolean higherIsBetter() {
        return true;
    }

    /**
     * The metric with the given Hugging Face name.
     *
     * @throws ChildTuneException for an unknown name, listing the known ones
     */
    public static Metric fromName(String name) {
        for (Metric metric : values()) {
            if (metric.metricName.equals(name)) {
                return metric;
            }
        }
        throw new ChildTuneException(
                "unknown metric '"
                        + name
                        + "'; known metrics: "
                        + knownNames()
                        + " ("
                        + Metrics.COMBINED_SCORE
                        + " is added by itself when two or more are asked for)");
    }

    /** The known names, comma separated, in declaration order. */
    private static String knownNames() {
        return Arrays.stream(values()).map(Metric::metricName).collect(Collectors.joining(", "));
    }
}
