package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar constants for operations that autograd records.
 *
 * <p>DJL's {@code x.div(2.0)} wraps the number in a tensor over a Java buffer and frees that
 * buffer as soon as the call returns; autograd, which saved the tensor for the backward pass,
 * then reads freed memory, and after a garbage collection the gradients are garbage. A constant
 * made here lives in memory the engine owns, so whatever autograd keeps stays valid.
 */
public final class Scalars {
    private Scalars() {}

    /** A float32 scalar in engine-owned memory. */
    public static NDArray constant(NDManager manager, double value) {
        return manager.ones(new Shape()).muli((float) value);
    }
}
