package dev.childtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.childtune.model.ClassifierOutput;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Parameter;
import dev.childtune.model.nn.Scalars;
import dev.childtune.tuning.GradientMask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One optimizer step in the fixed order of the reference: forward and backward of each
 * micro-batch (gradients accumulate, the loss divided by their number) → global gradient-norm
 * clipping → gradient mask → AdamW → gradients zeroed; the last four in one pass over memory
 * (see {@link AdamW#step}). Everything the step creates dies in its
 * {@link NDScope}; only the weights and the optimizer moments change.
 */
public final class OptimizerStep {
    private final SequenceClassifier model;
    private final AdamW optimizer;
    private final GradientMask mask;
    private final double maxGradNorm;
    private final Map<String, Parameter> parameters;

    /** A step that trains every parameter of the model. */
    public OptimizerStep(SequenceClassifier model, AdamW optimizer, GradientMask mask, double maxGradNorm) {
        this(model, model.namedParameters(), optimizer, mask, maxGradNorm);
    }

    /**
     * A step that trains only {@code parameters} (the others get no gradient, are not clipped and
     * keep their weights); {@code optimizer} must have been built over the same map.
     */
    public OptimizerStep(SequenceClassifier model, Map<String, Parameter> parameters, AdamW optimizer,
            GradientMask mask, double maxGradNorm) {
        this.model = model;
        this.optimizer = optimizer;
        this.mask = mask;
        this.maxGradNorm = maxGradNorm;
        // Parameters the forward pass never reads get no update at all, as in Hugging Face (grad None).
        this.parameters = new LinkedHashMap<>(parameters);
        this.parameters.keySet().removeAll(model.parametersWithoutGradient());
        this.parameters.values().forEach(p -> p.array().setRequiresGradient(true));
    }

    /**
     * What one step measured: the mean loss over its micro-batches, the gradient norm before
     * clipping, and — when some gradient held a NaN or an infinity, so that the update was not
     * applied — the first such parameter (else null).
     */
    public record Result(double loss, double gradNorm, String nonFiniteGradient) {
        public boolean skipped() {
            return nonFiniteGradient != null;
        }
    }

    /**
     * @param microBatches the batches whose gradients make this step (gradient accumulation)
     * @param step the 0-based optimizer step (the mask may depend on it)
     * @param lr the learning rate for this step
     * @param dropout whether dropout is active (true when training; the parity fixtures use false)
     */
    public Result run(List<Batch> microBatches, int step, double lr, boolean dropout) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double loss = 0;
            for (Batch batch : microBatches) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    ClassifierOutput out = model.forward(batch.inputs(), dropout);
                    NDArray batchLoss = model.loss(out.logits(), batch.labels());
                    collector.backward(batchLoss.div(Scalars.constant(batchLoss.getManager(), microBatches.size())));
                    loss += batchLoss.getFloat() / microBatches.size();
                }
            }
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            try {
                parameters.forEach((name, p) -> gradients.put(name, p.array().getGradient()));
                List<GradientSlices.Slice> slices = GradientSlices.of(gradients);
                GradientClipping.Norms norms = GradientClipping.norms(slices);
                double gradNorm = norms.total();
                Optional<String> nonFinite = norms.firstNonFinite();
                if (nonFinite.isPresent()) {
                    GradientSlices.zero(slices); // never let a NaN reach the weights or the moments
                    return new Result(loss, gradNorm, nonFinite.get());
                }
                optimizer.step(slices, lr, GradientClipping.coefficient(gradNorm, maxGradNorm), mask, step);
                return new Result(loss, gradNorm, null);
            } finally {
                gradients.values().forEach(NDArray::close);
            }
        }
    }
}
