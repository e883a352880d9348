package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.model.Devices;
import dev.childtune.model.Tensors;
import dev.childtune.model.nn.Parameter;
import dev.childtune.tuning.GradientMask;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * AdamW with the semantics of Hugging Face's {@code transformers.optimization.AdamW}
 * ({@code correct_bias=True}), which the ChildTuning reference builds on. For step t:
 *
 * <pre>
 *   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g² ;
 *   p ← p − lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε) ;  p ← p − lr·wd·p   (decay group only)
 * </pre>
 *
 * The decay group is every parameter whose name contains neither {@code bias} nor
 * {@code LayerNorm.weight}. Weights move in place; the moments live in the optimizer's own
 * manager, addressed by parameter name, for the parameters it was built with only (a frozen
 * parameter is simply not given to it). Two options beyond the reference: a per-parameter factor
 * on lr (layer-wise decay: the step, the decay and the pull of that parameter all use its own lr),
 * and a {@link PretrainedPull} toward the pretrained weights, both inside the same pass.
 */
public final class AdamW implements AutoCloseable {
    private final Map<String, Parameter> parameters;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, Double> learningRateScales = new HashMap<>();
    private final PretrainedPull pull;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private int stepCount;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One thread's copies of a slice: the kernel works on plain arrays, which the JIT vectorises. */
    private static final class Scratch {
        final float[] gradient = new float[GradientSlices.SLICE_LENGTH];
        final float[] parameter = new float[GradientSlices.SLICE_LENGTH];
        final float[] firstMoment = new float[GradientSlices.SLICE_LENGTH];
        final float[] secondMoment = new float[GradientSlices.SLICE_LENGTH];
        final float[] anchor = new float[GradientSlices.SLICE_LENGTH];
        final float[] zeros = new float[GradientSlices.SLICE_LENGTH];
    }

    private AdamW(Builder b) {
        this.parameters = b.parameters;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
        this.pull = b.pull;
        this.manager = b.manager.newSubManager();
        if (pull != null && parameters.values().stream().anyMatch(p -> !Devices.isHost(p.array().getDevice()))) {
            throw new ChildTuneException("a pull toward the pretrained weights (WD-pre, RecAdam) runs on the CPU "
                    + "only: use --device cpu");
        }
        parameters.keySet().forEach(name -> learningRateScales.put(name, b.learningRateScale.applyAsDouble(name)));
        parameters.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.shape()));
            secondMoments.put(name, manager.zeros(p.shape()));
        });
    }

    public static Builder builder(Map<String, Parameter> parameters, NDManager manager) {
        return new Builder(parameters, manager);
    }

    /** Hugging Face's no-decay rule. */
    public static boolean decays(String parameterName) {
        return !parameterName.contains("bias") && !parameterName.contains("LayerNorm.weight");
    }

    /** One parameter's buffers and coefficients for the current step. */
    private record Target(FloatBuffer parameter, FloatBuffer firstMoment, FloatBuffer secondMoment, FloatBuffer anchor,
            float stepSize, float pullFactor, float decayFactor) {}

    /**
     * One update of every parameter that has a gradient, fused into a single pass over memory per
     * slice: read the gradient and zero it (DJL never clears gradients; PyTorch would accumulate
     * into the next step), scale it by the clipping coefficient, apply the mask, then the moments,
     * the Adam step, the pull toward the pretrained weights (if any) and the decoupled decay, each
     * element in float32 as PyTorch computes it. Slices run in parallel; each touches only its own
     * elements, so the result does not depend on the thread count.
     *
     * @param slices the gradients, as the backward pass left them (consumed: zeroed)
     * @param lr the learning rate of this step
     * @param clipCoefficient the factor of global-norm clipping (1 for none)
     * @param mask ChildTuning's (or no) mask, applied after clipping and before the moments
     * @param step the 0-based optimizer step, for the mask
     */
    public void step(List<GradientSlices.Slice> slices, double lr, float clipCoefficient, GradientMask mask, int step) {
        stepCount++;
        double biasCorrection1 = 1 - Math.pow(beta1, stepCount);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, stepCount));
        double adamScale = pull == null ? 1 : pull.adamScale(stepCount);
        double pullStrength = pull == null ? 0 : pull.strength(stepCount);
        // The coefficients as PyTorch passes them to its float kernels: computed in double, then rounded.
        float eps = (float) epsilon;
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        Map<String, Target> targets = new HashMap<>();
        slices.stream().map(GradientSlices.Slice::parameter).distinct().forEach(name -> {
            double parameterLr = lr * learningRateScales.get(name);
            FloatBuffer anchor = pull == null ? null : pull.anchor(name);
            double stepSize = parameterLr * sqrtBiasCorrection2 / biasCorrection1;
            targets.put(name, new Target(Tensors.view(parameters.get(name).array()), Tensors.view(firstMoments.get(name)),
                    Tensors.view(secondMoments.get(name)), anchor,
                    (float) (anchor == null ? stepSize : stepSize * adamScale),
                    (float) (parameterLr * pullStrength),
                    weightDecay != 0 && decays(name) ? (float) (-parameterLr * weightDecay) : 0f));
        });
        slices.parallelStream().forEach(slice -> {
            Scratch w = SCRATCH.get();
            int offset = slice.offset();
            int length = slice.length();
            float[] g = w.gradient;
            slice.gradient().get(offset, g, 0, length);
            slice.gradient().put(offset, w.zeros, 0, length);
            for (int i = 0; i < length; i++) {
                g[i] *= clipCoefficient;
            }
            mask.apply(slice.parameter(), offset, g, length, step);
            Target t = targets.get(slice.parameter());
            float[] p = w.parameter;
            float[] m = w.firstMoment;
            float[] v = w.secondMoment;
            t.parameter().get(offset, p, 0, length);
            t.firstMoment().get(offset, m, 0, length);
            t.secondMoment().get(offset, v, 0, length);
            float stepSize = t.stepSize();
            float decayFactor = t.decayFactor();
            if (t.anchor() == null) {
                // Plain arrays and no branch, so the JIT vectorises the loop.
                for (int i = 0; i < length; i++) {
                    float gi = g[i];
                    float mi = m[i] * b1 + oneMinusB1 * gi;
                    float vi = v[i] * b2 + oneMinusB2 * gi * gi;
                    float pi = p[i] - stepSize * (mi / ((float) Math.sqrt(vi) + eps));
                    m[i] = mi;
                    v[i] = vi;
                    p[i] = pi + decayFactor * pi;
                }
            } else {
                float[] u = w.anchor;
                t.anchor().get(offset, u, 0, length);
                float pullFactor = t.pullFactor();
                for (int i = 0; i < length; i++) {
                    float gi = g[i];
                    float mi = m[i] * b1 + oneMinusB1 * gi;
                    float vi = v[i] * b2 + oneMinusB2 * gi * gi;
                    float pi = p[i] - stepSize * (mi / ((float) Math.sqrt(vi) + eps));
                    pi = pi - pullFactor * (pi - u[i]);
                    m[i] = mi;
                    v[i] = vi;
                    p[i] = pi + decayFactor * pi;
                }
            }
            t.parameter().put(offset, p, 0, length);
            t.firstMoment().put(offset, m, 0, length);
            t.secondMoment().put(offset, v, 0, length);
        });
    }

    /**
     * The same update for parameters Java cannot touch in place (on a GPU): the engine's in-place
     * operations on the device, a few kernels per parameter, with the same coefficients and the
     * same order (clip, mask, moments, step, decay). The gradients are zeroed after use.
     *
     * @param gradients each trained parameter's gradient, as the backward pass left it
     */
    public void step(Map<String, NDArray> gradients, double lr, float clipCoefficient, GradientMask mask, int step) {
        stepCount++;
        double biasCorrection1 = 1 - Math.pow(beta1, stepCount);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, stepCount));
        gradients.forEach((name, gradient) -> {
            if (gradient.size() == 0) {
                return;
            }
            double parameterLr = lr * learningRateScales.get(name);
            float stepSize = (float) (parameterLr * sqrtBiasCorrection2 / biasCorrection1);
            float decayFactor = weightDecay != 0 && decays(name) ? (float) (-parameterLr * weightDecay) : 0f;
            NDArray p = parameters.get(name).array();
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            NDArray clipped = clipCoefficient == 1f ? gradient : gradient.mul(clipCoefficient);
            NDArray g = mask.apply(name, clipped, step);
            try (NDArray scaled = g.mul((float) (1 - beta1))) {
                m.muli((float) beta1).addi(scaled);
            }
            try (NDArray squared = g.mul(g)) {
                v.muli((float) beta2).addi(squared.muli((float) (1 - beta2)));
            }
            try (NDArray denominator = v.sqrt(); NDArray update = m.div(denominator.addi((float) epsilon));
                    NDArray weights = p.stopGradient()) {
                weights.subi(update.muli(stepSize));
                if (decayFactor != 0) {
                    try (NDArray decay = weights.mul(decayFactor)) {
                        weights.addi(decay);
                    }
                }
            }
            if (g != clipped) {
                g.close();
            }
            if (clipped != gradient) {
                clipped.close();
            }
            gradient.muli(0f);
        });
    }

    /** How many updates have been applied (Adam's t). */
    public int stepCount() {
        return stepCount;
    }

    /** The moments and step count, for a checkpoint: {@code exp_avg.<name>}, {@code exp_avg_sq.<name>}, {@code step}. */
    public Map<String, TensorData> state() {
        Map<String, TensorData> state = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> state.put("exp_avg." + name, Tensors.fromArray(m)));
        secondMoments.forEach((name, v) -> state.put("exp_avg_sq." + name, Tensors.fromArray(v)));
        state.put("step", TensorData.ofLongs(new long[0], new long[] {stepCount}));
        return state;
    }

    /** Restores what {@link #state()} saved. */
    public void loadState(Map<String, TensorData> state) {
        firstMoments.forEach((name, m) -> m.set(state.get("exp_avg." + name).toFloats()));
        secondMoments.forEach((name, v) -> v.set(state.get("exp_avg_sq." + name).toFloats()));
        stepCount = Math.toIntExact(state.get("step").toLongs()[0]);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Hyper-parameters with the reference's defaults: β (0.9, 0.999), ε 1e-8, weight decay 0.01. */
    public static final class Builder {
        private final Map<String, Parameter> parameters;
        private final NDManager manager;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double weightDecay = 0.01;
        private ToDoubleFunction<String> learningRateScale = name -> 1.0;
        private PretrainedPull pull;

        private Builder(Map<String, Parameter> parameters, NDManager manager) {
            this.parameters = parameters;
            this.manager = manager;
        }

        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** A factor on each parameter's learning rate (layer-wise decay); 1 for all by default. */
        public Builder optLearningRateScale(ToDoubleFunction<String> scale) {
            this.learningRateScale = scale;
            return this;
        }

        /** A pull toward the pretrained weights inside the update (WD-pre, RecAdam); none by default. */
        public Builder optPull(PretrainedPull pull) {
            this.pull = pull;
            return this;
        }

        public AdamW build() {
            return new AdamW(this);
        }
    }
}
