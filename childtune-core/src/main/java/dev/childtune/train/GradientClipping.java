package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Global gradient-norm clipping as {@code torch.nn.utils.clip_grad_norm_}: the norm of all
 * gradients together is {@code ‖(‖g_p‖₂)_p‖₂}; when {@code maxNorm / (total + 1e-6) < 1} every
 * gradient is scaled by that factor. (DJL's own {@code optClipGrad} clips element values, and
 * wrongly for negative ones; it is not this.) The norm is read here; the scaling is applied by
 * AdamW in the same pass as its update.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** The squared norm of each parameter's gradient, in the slices' order of parameters. */
    record Norms(Map<String, Double> squares) {
        /** The total norm, from per-parameter norms in float as PyTorch keeps them. */
        double total() {
            double sumOfSquares = 0;
            for (double sum : squares.values()) {
                float norm = (float) Math.sqrt(sum);
                sumOfSquares += (double) norm * norm;
            }
            return (float) Math.sqrt(sumOfSquares);
        }

        /** The first parameter whose gradient holds a NaN or an infinity, if any. */
        Optional<String> firstNonFinite() {
            return squares.entrySet().stream().filter(e -> !Double.isFinite(e.getValue())).map(Map.Entry::getKey)
                    .findFirst();
        }
    }

    /** Reads the gradients once, every core at work. */
    static Norms norms(List<GradientSlices.Slice> slices) {
        double[] sliceSums = new double[slices.size()];
        IntStream.range(0, slices.size()).parallel().forEach(s -> {
            GradientSlices.Slice slice = slices.get(s);
            double sum = 0;
            for (int i = slice.offset(), end = slice.offset() + slice.length(); i < end; i++) {
                float g = slice.gradient().get(i);
                sum += (double) g * g;
            }
            sliceSums[s] = sum;
        });
        Map<String, Double> perParameter = new LinkedHashMap<>();
        for (int s = 0; s < slices.size(); s++) {
            perParameter.merge(slices.get(s).parameter(), sliceSums[s], Double::sum);
        }
        return new Norms(perParameter);
    }

    /**
     * The same for gradients Java cannot read in place (on a GPU): each parameter's norm computed
     * on the device, all of them copied back at once.
     */
    static Norms norms(Map<String, NDArray> gradients) {
        List<String> names = new ArrayList<>();
        NDList perParameter = new NDList();
        gradients.forEach((name, g) -> {
            if (g.size() > 0) {
                names.add(name);
                perParameter.add(g.norm());
            }
        });
        Map<String, Double> squares = new LinkedHashMap<>();
        if (!names.isEmpty()) {
            try (NDArray stacked = NDArrays.stack(perParameter)) {
                float[] norms = stacked.toFloatArray();
                for (int i = 0; i < norms.length; i++) {
                    squares.put(names.get(i), (double) norms[i] * norms[i]);
                }
            } finally {
                perParameter.close();
            }
        }
        return new Norms(squares);
    }

    /**
     * The factor the gradients are multiplied by: {@code maxNorm / (total + 1e-6)} when that is
     * below 1, else 1.
     *
     * @param maxNorm the largest total norm allowed; 0 or less disables clipping
     */
    static float coefficient(double totalNorm, double maxNorm) {
        if (maxNorm <= 0) {
            return 1f;
        }
        double coefficient = maxNorm / (totalNorm + 1e-6);
        return coefficient < 1 ? (float) coefficient : 1f;
    }
}
