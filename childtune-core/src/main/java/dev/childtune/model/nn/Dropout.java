package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Dropout}: active only in training; random numbers from the engine's seed. */
public final class Dropout extends Module {
    private final float p;

    public Dropout(double p) {
        this.p = (float) p;
    }

    public NDArray forward(NDArray x, boolean training) {
        if (!training || p == 0f) {
            return x;
        }
        return ai.djl.nn.norm.Dropout.dropout(x, p, true).singletonOrThrow();
    }
}
