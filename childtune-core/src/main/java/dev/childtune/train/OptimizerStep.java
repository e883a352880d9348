package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.childtune.model.ClassifierOutput;
import dev.childtune.model.Devices;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.Tensors;
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
 * (see {@link AdamW#step}; on a GPU the engine's operations do the same there). Everything the
 * step creates dies in its {@link NDScope}; only the weights and the optimizer moments change.
 *
 * <p>A method's {@link TrainingHooks} enter here: frozen parameters get no gradient and no update,
 * a weight substitution is installed around the forward and backward passes, and a loss term is
 * added to each micro-batch's loss. (The learning-rate scales and the pull act inside AdamW.)
 */
public final class OptimizerStep {
    private final SequenceClassifier model;
    private final AdamW optimizer;
    private final GradientMask mask;
    private final double maxGradNorm;
    private final Map<String, Parameter> parameters;
    private final TrainingHooks hooks;
    /** Whether the fused Java pass updates the weights in place (host memory), else the engine's operations. */
    private final boolean onHost;

    /** A step that trains every parameter of the model. */
    public OptimizerStep(SequenceClassifier model, AdamW optimizer, GradientMask mask, double maxGradNorm) {
        this(model, optimizer, mask, maxGradNorm, TrainingHooks.NONE);
    }

    /** @param hooks the method's changes to the step (which parameters train, substitution, loss term) */
    public OptimizerStep(SequenceClassifier model, AdamW optimizer, GradientMask mask, double maxGradNorm,
            TrainingHooks hooks) {
        this(model, optimizer, mask, maxGradNorm, hooks, true);
    }

    /**
     * @param fusedOnHost false to update with the engine's operations even when the weights are in
     *     host memory (what a GPU gets; the tests compare both paths on the CPU)
     */
    OptimizerStep(SequenceClassifier model, AdamW optimizer, GradientMask mask, double maxGradNorm,
            TrainingHooks hooks, boolean fusedOnHost) {
        this.model = model;
        this.optimizer = optimizer;
        this.mask = mask;
        this.maxGradNorm = maxGradNorm;
        this.hooks = hooks;
        // Parameters the forward pass never reads get no update at all, as in Hugging Face (grad None).
        this.parameters = new LinkedHashMap<>(model.namedParameters());
        parameters.keySet().removeAll(model.parametersWithoutGradient());
        // Frozen parameters: autograd computes no gradient for them, and they are absent from the update.
        parameters.keySet().removeIf(name -> !hooks.trainable().test(name));
        model.namedParameters().forEach((name, p) -> p.array().setRequiresGradient(hooks.trainable().test(name)));
        this.onHost = fusedOnHost
                && model.namedParameters().values().stream().allMatch(p -> Devices.isHost(p.array().getDevice()));
    }

    /**
     * What one step measured: the mean task loss over its micro-batches (without a method's loss
     * term, so runs of different methods compare), the gradient norm before clipping, and — when
     * some gradient held a NaN or an infinity, so that the update was not applied — the first such
     * parameter (else null).
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
            try (WeightSubstitution.Installed substituted = hooks.substitution() == null ? () -> { }
                    : hooks.substitution().install()) {
                for (Batch batch : microBatches) {
                    loss += ForwardBackward.run(() -> {
                        ClassifierOutput out = model.forward(batch.inputs(), dropout);
                        NDArray batchLoss = model.loss(out.logits(), batch.labels());
                        NDArray total = hooks.lossTerm() == null ? batchLoss
                                : batchLoss.add(hooks.lossTerm().term(model, batch.inputs(), out, dropout));
                        NDArray objective = total.div(Scalars.constant(batchLoss.getManager(), microBatches.size()));
                        return new ForwardBackward.Objective(objective, batchLoss);
                    }) / microBatches.size();
                }
            }
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            try {
                parameters.forEach((name, p) -> gradients.put(name, p.array().getGradient()));
                if (!onHost) {
                    return updateOnDevice(gradients, loss, step, lr);
                }
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

    /** The same after-backward passes with the engine's operations, for a model on a GPU. */
    private Result updateOnDevice(Map<String, NDArray> gradients, double loss, int step, double lr) {
        GradientClipping.Norms norms = GradientClipping.norms(gradients);
        double gradNorm = norms.total();
        Optional<String> nonFinite = norms.firstNonFinite();
        if (nonFinite.isPresent()) {
            gradients.values().forEach(Tensors::fillZero);
            return new Result(loss, gradNorm, nonFinite.get());
        }
        optimizer.step(gradients, lr, GradientClipping.coefficient(gradNorm, maxGradNorm), mask, step);
        return new Result(loss, gradNorm, null);
    }
}
