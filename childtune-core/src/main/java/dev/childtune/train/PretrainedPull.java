package dev.childtune.train;

import java.nio.FloatBuffer;

/**
 * A pull toward the pretrained weights, applied by {@link AdamW} inside its update, after the Adam
 * step and before the decoupled weight decay, to every pulled parameter (masked or not):
 *
 * <pre>
 *   p ← p − a(t)·lr·√(1−β2^t)/(1−β1^t) · m/(√v+ε)      (a(t) = adamScale(t))
 *   p ← p − lr·c(t)·(p − p_pre)                         (c(t) = strength(t))
 *   p ← p − lr·wd·p                                     (decay group)
 * </pre>
 *
 * where lr is the parameter's own learning rate and t is Adam's step count (1 for the first
 * update). Parameters without an anchor get the plain AdamW update.
 */
public interface PretrainedPull {
    /** The pretrained values of a parameter, a read-only view in row-major order, or null when it is not pulled. */
    FloatBuffer anchor(String parameter);

    /** The factor on the Adam step of a pulled parameter at step t (RecAdam's λ(t); 1 for WD-pre). */
    double adamScale(int t);

    /** The pull's coefficient c(t) at step t (WD-pre: λ; RecAdam: (1 − λ(t))·γ). */
    double strength(int t);
}
