package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import dev.childtune.model.Tensors;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gradients of one step cut into fixed slices of the engine's own memory, so that the passes
 * after backward (norm, mask, AdamW) run in Java on every core without copying tensors, and give
 * the same result whatever the number of threads: slices never depend on it.
 */
public final class GradientSlices {
    /** Elements per slice: small enough to spread over cores and stay in cache, large enough to be cheap. */
    public static final int SLICE_LENGTH = 1 << 16;

    /** Elements {@code [offset, offset + length)} of a parameter's gradient. */
    public record Slice(String parameter, FloatBuffer gradient, int offset, int length) {}

    private GradientSlices() {}

    /** The slices of every gradient, in the map's order (parameters) and then by offset. */
    public static List<Slice> of(Map<String, NDArray> gradients) {
        List<Slice> slices = new ArrayList<>();
        gradients.forEach((name, g) -> {
            if (g.size() == 0) {
                return;
            }
            FloatBuffer view = Tensors.view(g);
            int size = view.capacity();
            for (int offset = 0; offset < size; offset += SLICE_LENGTH) {
                slices.add(new Slice(name, view, offset, Math.min(SLICE_LENGTH, size - offset)));
            }
        });
        return slices;
    }

    /** Sets every gradient to zero, for a step whose update is skipped. */
    static void zero(List<Slice> slices) {
        float[] zeros = new float[SLICE_LENGTH];
        slices.parallelStream().forEach(s -> s.gradient().put(s.offset(), zeros, 0, s.length()));
    }
}
