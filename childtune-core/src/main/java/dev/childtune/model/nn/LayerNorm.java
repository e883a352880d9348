package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last dimension, with an explicit epsilon. */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalizedShape;
    private final float eps;

    public LayerNorm(int size, double eps) {
        this.normalizedShape = new Shape(size);
        this.eps = (float) eps;
        weight = parameter("weight", normalizedShape, Parameter.Init.ONES);
        bias = parameter("bias", normalizedShape, Parameter.Init.ZEROS);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }
}
