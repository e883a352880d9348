package dev.childtune.data;

import dev.childtune.ChildTuneException;

import java.util.HashSet;
import java.util.List;

/**
 * What a task asks a model to predict and how it is scored, with names as Hugging Face's {@code
 * run_glue.py} and GLUE metric use them.
 *
 * @param name the task name, e.g. {@code rte}
 * @param labels the class labels as written in the data, index = class id; empty for regression
 * @param regression whether the target is a real number (one output) rather than a class
 * @param metrics the metric names reported for the task, e.g. {@code [f1, accuracy]}
 * @param mainMetric the one of {@code metrics} used to compare runs (higher is better)
 */
public record Task(
        String name,
        List<String> labels,
        boolean regression,
        List<String> metrics,
        String mainMetric) {
    public Task {
        labels = List.copyOf(labels);
        metrics = List.copyOf(metrics);
        if (regression != labels.isEmpty()) {
            throw new IllegalArgumentException(
                    name
                            + ": a regression task has no class labels and a classification task"
                            + " needs some");
        }
        if (!metrics.contains(mainMetric)) {
            throw new IllegalArgumentException(
                    name + ": main metric " + mainMetric + " is not among " + metrics);
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new ChildTuneException(
                    "task "
                            + name
                            + ": duplicate class labels in "
                            + DataErrors.list(labels)
                            + "; expected each label once");
        }
    }

    /** The number of model outputs: the number of classes, or 1 for regression. */
    public int numLabels() {
        return regression ? 1 : labels.size();
    }
}
