package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ChildTuning-D (task-driven): a mask fixed before training keeps the gradients of the child
 * network and zeroes the others, {@code g ← g ⊙ M}, without rescaling. Tensors without a mask
 * (embeddings, pooler, classifier in the reference scope) always get their full gradient.
 */
public final class ChildTuningD implements GradientMask {
    /** 1 for a child element, 0 otherwise, per masked tensor: one byte each, so masking is a vectorised product. */
    private final Map<String, byte[]> children = new LinkedHashMap<>();
    /** The same masks as engine arrays (1/0 floats), for gradients on a GPU. */
    private final Map<String, NDArray> childArrays;
    private final JsonObject summary;

    public ChildTuningD(ChildMask mask) {
        mask.masks().forEach((name, m) -> {
            float[] values = m.toFloatArray();
            byte[] kept = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                kept[i] = (byte) (values[i] != 0f ? 1 : 0);
            }
            children.put(name, kept);
        });
        this.summary = mask.summary();
        this.childArrays = mask.masks();
    }

    @Override
    public void apply(String parameter, long offset, float[] gradient, int length, int step) {
        byte[] kept = children.get(parameter);
        if (kept == null) {
            return;
        }
        int start = Math.toIntExact(offset);
        for (int i = 0; i < length; i++) {
            gradient[i] *= kept[start + i]; // a product, as the reference: NaN stays NaN
        }
    }

    @Override
    public NDArray apply(String parameter, NDArray gradient, int step) {
        NDArray kept = childArrays.get(parameter);
        return kept == null ? gradient : gradient.mul(kept);
    }

    /** The realised child network: kept fraction overall, per layer and per module type. */
    @Override
    public JsonObject describe() {
        return summary;
    }
}
