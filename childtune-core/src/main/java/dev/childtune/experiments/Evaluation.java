package dev.childtune.experiments;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of a trial on one data set.
 *
 * @param name the training task's name for its own dev split, {@code source→target} for a transfer
 * @param mainMetric the metric runs are compared by (higher is better)
 */
public record Evaluation(String name, String mainMetric, Map<String, Double> metrics) {
    public Evaluation {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (!metrics.containsKey(mainMetric)) {
            throw new IllegalArgumentException(name + ": main metric " + mainMetric + " not among " + metrics.keySet());
        }
    }

    public double main() {
        return metrics.get(mainMetric);
    }
}
