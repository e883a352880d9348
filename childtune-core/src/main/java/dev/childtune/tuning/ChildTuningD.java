package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * ChildTuning-D (task-driven): a mask fixed before training keeps the gradients of the child
 * network and zeroes the others, {@code g ← g ⊙ M}, without rescaling. Tensors without a mask
 * (embeddings, pooler, classifier in the reference scope) always get their full gradient.
 */
public final class ChildTuningD implements GradientMask {
    private final ChildMask mask;

    public ChildTuningD(ChildMask mask) {
        this.mask = mask;
    }

    @Override
    public void apply(Map<String, NDArray> gradients, int step) {
        mask.masks().forEach((name, m) -> {
            NDArray g = gradients.get(name);
            if (g != null) {
                g.muli(m);
            }
        });
    }

    /** The realised child network: kept fraction overall, per layer and per module type. */
    @Override
    public JsonObject describe() {
        return mask.summary();
    }
}
