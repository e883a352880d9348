package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * Global gradient-norm clipping as {@code torch.nn.utils.clip_grad_norm_}: the norm of all
 * gradients together is {@code ‖(‖g_p‖₂)_p‖₂}; when {@code maxNorm / (total + 1e-6) < 1} every
 * gradient is scaled by that factor. (DJL's own {@code optClipGrad} clips element values, and
 * wrongly for negative ones; it is not this.)
 */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Scales the gradients in place and returns the total norm before clipping.
     *
     * @param maxNorm the largest total norm allowed; 0 or less disables clipping (the norm is still returned)
     */
    public static double clipGlobalNorm(Collection<NDArray> gradients, double maxNorm) {
        double sumOfSquares = 0;
        for (NDArray g : gradients) {
            double norm = g.norm().getFloat();
            sumOfSquares += norm * norm;
        }
        double total = (float) Math.sqrt(sumOfSquares);
        if (maxNorm > 0) {
            double coefficient = maxNorm / (total + 1e-6);
            if (coefficient < 1) {
                for (NDArray g : gradients) {
                    g.muli((float) coefficient);
                }
            }
        }
        return total;
    }
}
