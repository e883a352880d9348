package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * Zeroes (and possibly rescales) gradients between global clipping and the optimizer update:
 * where ChildTuning chooses its child network. Gradients are modified in place.
 */
@FunctionalInterface
public interface GradientMask {
    /** Plain fine-tuning: every gradient passes unchanged. */
    GradientMask NONE = (gradients, step) -> { };

    /**
     * @param gradients by Hugging Face parameter name, already clipped
     * @param step the 0-based optimizer step
     */
    void apply(Map<String, NDArray> gradients, int step);

    /** What a run's results should record about this mask (p, realised kept fraction, ...). */
    default JsonObject describe() {
        return new JsonObject();
    }
}
