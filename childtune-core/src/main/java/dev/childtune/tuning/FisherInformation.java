package dev.childtune.tuning;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Parameter;
import dev.childtune.model.nn.Scalars;
import dev.childtune.train.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The reference estimator of ChildTuning-D's Fisher information: for each batch, the gradient of
 * the batch-mean loss (the model's own supervised loss on the gold labels); each eligible tensor's
 * gradient clipped on its own to L2 norm ≤ maxGradNorm; {@code F += g² / N_batches}. An empirical
 * Fisher of mini-batch gradients, as the released code computes it (not the per-example form
 * written in the paper).
 */
public final class FisherInformation {
    private FisherInformation() {}

    /** Hugging Face names that ChildTuning may mask: those containing the lower-case {@code layer}. */
    public static final Predicate<String> REFERENCE_SCOPE = name -> name.contains("layer");

    /**
     * @param scores the Fisher score of every element of every eligible tensor, by parameter name
     * @param batchLosses the batch-mean loss of each batch, in order
     */
    public record Estimate(Map<String, NDArray> scores, float[] batchLosses) {}

    /**
     * @param batches one pass over the training set, in the order to use
     * @param dropout whether dropout is active (the reference: yes)
     * @param manager where the scores live
     */
    public static Estimate estimate(SequenceClassifier model, List<Batch> batches, double maxGradNorm,
            Predicate<String> eligible, boolean dropout, NDManager manager) {
        Map<String, Parameter> parameters = model.namedParameters();
        parameters.values().forEach(p -> p.array().setRequiresGradient(true));
        Map<String, NDArray> scores = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            if (eligible.test(name)) {
                scores.put(name, manager.zeros(p.shape()));
            }
        });
        float[] losses = new float[batches.size()];
        float perBatch = 1f / batches.size();
        for (int b = 0; b < batches.size(); b++) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                Batch batch = batches.get(b);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = model.loss(model.forward(batch.inputs(), dropout).logits(), batch.labels());
                    collector.backward(loss);
                    losses[b] = loss.getFloat();
                }
                for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                    try (NDArray g = e.getValue().array().getGradient()) {
                        NDArray score = scores.get(e.getKey());
                        if (score != null) {
                            double norm = g.norm().getFloat();
                            double coefficient = Math.min(1.0, maxGradNorm / (norm + 1e-6));
                            NDArray clipped = g.mul(Scalars.constant(g.getManager(), coefficient));
                            score.addi(clipped.mul(clipped).muli(perBatch));
                        }
                        g.muli(0f); // the next batch starts from zero gradients
                    }
                }
            }
        }
        return new Estimate(scores, losses);
    }

    /** All eligible tensors of the model, for a caller that only needs their names. */
    public static List<String> eligibleNames(SequenceClassifier model, Predicate<String> eligible) {
        List<String> names = new ArrayList<>();
        model.namedParameters().keySet().stream().filter(eligible).forEach(names::add);
        return names;
    }
}
