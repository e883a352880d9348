package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.model.Tensors;
import dev.childtune.model.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * manager, addressed by parameter name.
 */
public final class AdamW implements AutoCloseable {
    private final Map<String, Parameter> parameters;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private int stepCount;

    private AdamW(Builder b) {
        this.parameters = b.parameters;
        this.beta1 = (float) b.beta1;
        this.beta2 = (float) b.beta2;
        this.epsilon = (float) b.epsilon;
        this.weightDecay = b.weightDecay;
        this.manager = b.manager.newSubManager();
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

    /**
     * One update of every parameter that has a gradient in {@code gradients}.
     *
     * @param gradients by parameter name, already clipped (and masked)
     * @param lr the learning rate of this step
     */
    public void step(Map<String, NDArray> gradients, double lr) {
        stepCount++;
        double stepSize = lr * Math.sqrt(1 - Math.pow(beta2, stepCount)) / (1 - Math.pow(beta1, stepCount));
        float decay = (float) (-lr * weightDecay);
        gradients.forEach((name, g) -> {
            NDArray p = parameters.get(name).array();
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            NDArray denominator = v.sqrt().addi(epsilon);
            p.subi(m.div(denominator).muli((float) stepSize));
            if (weightDecay != 0 && decays(name)) {
                p.addi(p.mul(decay));
            }
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

        public AdamW build() {
            return new AdamW(this);
        }
    }
}
