package dev.childtune.tuning;

import dev.childtune.ChildTuneException;
import dev.childtune.train.PretrainedPull;
import java.nio.FloatBuffer;

/**
 * RecAdam (Chen et al., "Recall and Learn", EMNLP 2020), as its released optimizer computes it:
 * the objective {@code λ(t)·L_task + (1 − λ(t))·γ/2·‖w − w_pre‖²} with the sigmoid annealing
 * {@code λ(t) = 1/(1+exp(−k·(t − t0)))}, optimised as Adam on the task gradient whose step is
 * multiplied by λ(t), plus a decoupled pull of the quadratic term, then the usual decay:
 *
 * <pre>
 *   p ← p − λ(t)·lr·√(1−β2^t)/(1−β1^t)·m/(√v+ε)
 *   p ← p − lr·(1 − λ(t))·γ·(p − p_pre)
 *   p ← p − lr·wd·p                       (decay group)
 * </pre>
 *
 * for the pretrained weights of the body; the fresh head gets plain AdamW. t is Adam's step count,
 * 1 at the first update. Defaults are the released script's: k = 0.5, t0 = 1000, γ = 5000.
 */
public final class RecAdam implements PretrainedPull {
    /**
     * @param k the slope of the annealing sigmoid
     * @param t0 its midpoint, in optimizer steps
     * @param gamma the coefficient γ of the quadratic penalty ({@code pretrain_cof})
     */
    public record Options(double k, double t0, double gamma) {
        public static final Options DEFAULTS = new Options(0.5, 1000, 5000);

        public Options {
            if (!(k > 0) || !(t0 >= 0) || !(gamma >= 0)) {
                throw new ChildTuneException("RecAdam needs k > 0, t0 >= 0 and gamma >= 0, got k = " + k + ", t0 = "
                        + t0 + ", gamma = " + gamma);
            }
        }
    }

    private final Options options;
    private final PretrainedWeights pretrained;

    public RecAdam(Options options, PretrainedWeights pretrained) {
        this.options = options;
        this.pretrained = pretrained;
    }

    /** The annealing coefficient {@code λ(t) = 1/(1+exp(−k·(t − t0)))}. */
    public static double lambda(int t, Options options) {
        return 1 / (1 + Math.exp(-options.k() * (t - options.t0())));
    }

    @Override
    public FloatBuffer anchor(String parameter) {
        return pretrained.view(parameter);
    }

    @Override
    public double adamScale(int t) {
        return lambda(t, options);
    }

    @Override
    public double strength(int t) {
        return (1 - lambda(t, options)) * options.gamma();
    }
}
