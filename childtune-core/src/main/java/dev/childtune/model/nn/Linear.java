package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Linear}: y = x W^T + b, with W of shape (out, in). */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures) {
        weight = parameter("weight", new Shape(outFeatures, inFeatures), Parameter.Init.NORMAL);
        bias = parameter("bias", new Shape(outFeatures), Parameter.Init.ZEROS);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }
}
