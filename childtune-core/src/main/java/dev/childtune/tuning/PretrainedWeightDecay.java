package dev.childtune.tuning;

import dev.childtune.train.PretrainedPull;
import java.nio.FloatBuffer;

/**
 * Weight decay toward the pretrained weights, L2-SP (Li, Grandvalet and Davoine, ICML 2018): the
 * penalty {@code λ/2·‖w − w_pre‖²} on the pretrained weights of the body (never on the fresh head),
 * applied as a decoupled pull in the update, after the Adam step:
 *
 * <pre>  p ← p − lr·λ·(p − p_pre)  </pre>
 *
 * which is exactly a gradient step on the penalty, {@code lr·∇(λ/2·‖w − w_pre‖²)}. Decoupled, like
 * AdamW's decay, because the coupled form (adding λ(w − w_pre) to the gradient) would be divided by
 * Adam's √v, making the penalty's strength depend on each weight's gradient history, and would pass
 * through ChildTuning's mask (zeroed outside the child, rescaled by 1/p in F mode); the decoupled
 * pull reaches every pulled weight every step, masked or not, as weight decay does in the spec.
 */
public final class PretrainedWeightDecay implements PretrainedPull {
    /** λ when none is given. */
    public static final double DEFAULT_LAMBDA = 0.01;

    private final double lambda;
    private final PretrainedWeights pretrained;

    /** @param pretrained the pulled parameters and their pretrained values */
    public PretrainedWeightDecay(double lambda, PretrainedWeights pretrained) {
        this.lambda = lambda;
        this.pretrained = pretrained;
    }

    @Override
    public FloatBuffer anchor(String parameter) {
        return pretrained.view(parameter);
    }

    @Override
    public double adamScale(int t) {
        return 1;
    }

    @Override
    public double strength(int t) {
        return lambda;
    }
}
