package dev.childtune.train;

import java.util.List;

/**
 * What the trainer needs to know of a task: its examples and how it is scored. Built from a GLUE
 * task or a generic file by the data layer.
 *
 * @param name the task's name, as reported in results
 * @param labels class names by id (empty for regression)
 * @param regression whether the target is a real number
 * @param metricNames the metrics reported on the dev set, with Hugging Face's names
 * @param mainMetric the metric that picks the best checkpoint and drives early stopping
 */
public record TaskData(
        String name,
        List<? extends EncodedDataset.Source> train,
        List<? extends EncodedDataset.Source> dev,
        List<String> labels,
        boolean regression,
        List<String> metricNames,
        String mainMetric) {}
