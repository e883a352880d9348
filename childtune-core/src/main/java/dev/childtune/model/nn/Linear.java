package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;

/** {@code torch.nn.Linear}: y = x W^T + b, with W of shape (out, in). */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private UnaryOperator<NDArray> weightSubstitution;

    public Linear(int inFeatures, int outFeatures) {
        weight = parameter("weight", new Shape(outFeatures, inFeatures), Parameter.Init.NORMAL);
        bias = parameter("bias", new Shape(outFeatures), Parameter.Init.ZEROS);
    }

    /**
     * Forward-time weight substitution (Mixout): while set, the forward pass multiplies by
     * {@code substitution(W)} instead of W (the stored weight is not changed, and autograd sees the
     * substitution). {@code null} removes it.
     */
    public void substituteWeight(UnaryOperator<NDArray> substitution) {
        this.weightSubstitution = substitution;
    }

    public NDArray forward(NDArray x) {
        NDArray w = weightSubstitution == null ? weight.array() : weightSubstitution.apply(weight.array());
        return ai.djl.nn.core.Linear.linear(x, w, bias.array()).singletonOrThrow();
    }
}
