package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.metrics.Metrics;
import dev.childtune.model.PretrainedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a model over a split in inference mode and scores its predictions. */
public final class Evaluator {
    private final PretrainedModel model;
    private final Batcher batcher;
    private final EncodedDataset dataset;

    public Evaluator(PretrainedModel model, EncodedDataset dataset, Batcher batcher) {
        this.model = model;
        this.dataset = dataset;
        this.batcher = batcher;
    }

    /**
     * @param predictions the predicted class id per example (classification) or value (regression), as double
     * @param metrics every metric asked for, plus {@code eval_loss}
     */
    public record Evaluation(double[] predictions, Map<String, Double> metrics) {}

    public Evaluation evaluate(List<String> metricNames) {
        int n = dataset.size();
        double[] predictions = new double[n];
        double lossSum = 0;
        int row = 0;
        for (int[] indices : batcher.sequentialOrder()) {
            try (NDManager manager = model.manager().newSubManager()) {
                Batch batch = batcher.batch(indices, manager);
                NDArray logits = model.classifier().forward(batch.inputs(), false).logits();
                lossSum += model.classifier().loss(logits, batch.labels()).getFloat() * indices.length;
                float[] values = (dataset.regression() ? logits.reshape(-1) : logits.argMax(-1)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)).toFloatArray();
                for (float v : values) {
                    predictions[row++] = v;
                }
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (dataset.regression()) {
            double[] gold = new double[n];
            for (int i = 0; i < n; i++) gold[i] = dataset.get(i).target();
            metrics.putAll(Metrics.compute(metricNames, predictions, gold));
        } else {
            int[] predicted = new int[n];
            int[] gold = new int[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = (int) predictions[i];
                gold[i] = dataset.get(i).label();
            }
            metrics.putAll(Metrics.compute(metricNames, predicted, gold));
        }
        metrics.put("eval_loss", lossSum / n);
        return new Evaluation(predictions, metrics);
    }
}
