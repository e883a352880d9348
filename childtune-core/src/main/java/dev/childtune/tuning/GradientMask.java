package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;

/**
 * Zeroes (and possibly rescales) gradients between global clipping and the optimizer update:
 * where ChildTuning chooses its child network.
 *
 * <p>The optimizer hands a parameter's gradient over slice by slice, several slices at once on
 * different threads; a mask must therefore depend only on its arguments (parameter, position,
 * values, step), never on the order of calls. Then the masks are the same whatever the number of
 * threads.
 */
@FunctionalInterface
public interface GradientMask {
    /** Plain fine-tuning: every gradient passes unchanged. */
    GradientMask NONE = new GradientMask() {
        @Override
        public void apply(String parameter, long offset, float[] gradient, int length, int step) {
        }

        @Override
        public NDArray apply(String parameter, NDArray gradient, int step) {
            return gradient;
        }
    };

    /**
     * Masks one slice of a clipped gradient in place.
     *
     * @param parameter the Hugging Face parameter name
     * @param offset the position of {@code gradient[0]} among the parameter's elements (row-major)
     * @param gradient the slice's values, modified in place; only the first {@code length} count
     * @param length how many values the slice holds
     * @param step the 0-based optimizer step
     */
    void apply(String parameter, long offset, float[] gradient, int length, int step);

    /**
     * The same mask for a gradient Java cannot touch in place (on a GPU): the masked gradient as an
     * array on the gradient's device (the gradient itself when nothing changes). Random draws come
     * from the engine's generator there, seeded by the run.
     *
     * @param parameter the Hugging Face parameter name
     * @param gradient the parameter's clipped gradient, left unchanged
     * @param step the 0-based optimizer step
     */
    default NDArray apply(String parameter, NDArray gradient, int step) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " masks gradients in host memory only");
    }

    /** What a run's results should record about this mask (p, realised kept fraction, ...). */
    default JsonObject describe() {
        return new JsonObject();
    }
}
