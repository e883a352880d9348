package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A trainable tensor of a {@link Module}: its shape, how Hugging Face initialises it when a
 * checkpoint lacks it, and (once the model is materialised) its engine array.
 */
public final class Parameter {
    private final Shape shape;
    private final Init init;
    private NDArray array;

    Parameter(Shape shape, Init init) {
        this.shape = shape;
        this.init = init;
    }

    public Shape shape() {
        return shape;
    }

    public Init init() {
        return init;
    }

    /** The engine array; throws if the model has not been materialised yet. */
    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("parameter of shape " + shape + " is not materialised");
        }
        return array;
    }

    /** Installs the engine array, closing any array it replaces. */
    public void setArray(NDArray newArray) {
        if (!newArray.getShape().equals(shape)) {
            throw new IllegalArgumentException("shape " + newArray.getShape() + " != " + shape);
        }
        if (array != null && array != newArray) {
            array.close();
        }
        array = newArray;
    }

    /** Hugging Face's {@code _init_weights} rules, per kind of tensor. */
    public enum Init {
        /** normal(0, initializer_range): Linear and Embedding weights. */
        NORMAL,
        /** normal(0, initializer_range) with the padding row zeroed: nn.Embedding(padding_idx). */
        NORMAL_PADDING_ZERO,
        /** zeros: biases, LayerNorm bias. */
        ZEROS,
        /** ones: LayerNorm weight. */
        ONES
    }
}
