package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.childtune.ChildTuneException;
import dev.childtune.model.nn.Linear;
import dev.childtune.model.nn.Scalars;
import dev.childtune.train.WeightSubstitution;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mixout (Lee, Cho and Kang, ICLR 2020) on the weights of the encoder's Linear layers: in each
 * training forward pass every element of such a weight is replaced by its pretrained value with
 * probability p, and the mixture rescaled so its expectation is the weight:
 *
 * <pre>  W̃ = ((1 − M)⊙W_pre + M⊙W − p·W_pre) / (1 − p),   M ~ Bernoulli(1 − p) element-wise  </pre>
 *
 * so {@code E[W̃] = W} and {@code ∂W̃/∂W = M/(1 − p)}. This is the paper's element-wise definition
 * (its {@code mixout(u, p)} on a parameter vector), as the project's specification states it.
 * The authors' code and their Section 4 draw one decision per <em>input neuron</em> (a whole
 * column of W shares it); this class does not. Off in evaluation; the biases, LayerNorms,
 * embeddings, pooler and head are never mixed; dropout stays as the model configures it. The
 * decisions come from the engine's generator, which the loop seeds with (seed, step).
 */
public final class Mixout implements WeightSubstitution {
    /** p when none is given: the paper's GLUE setting. */
    public static final double DEFAULT_P = 0.9;

    private final double p;
    private final Map<Linear, NDArray> targets;

    /**
     * @param p the probability of taking the pretrained value, in [0, 1)
     * @param targets the Linear modules to mix, each with its pretrained weight (kept, not copied)
     */
    public Mixout(double p, Map<Linear, NDArray> targets) {
        if (!(p >= 0 && p < 1)) {
            throw new ChildTuneException("mixout p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.targets = new LinkedHashMap<>(targets);
    }

    /** How many weight tensors are mixed. */
    public int size() {
        return targets.size();
    }

    @Override
    public Installed install() {
        targets.forEach((linear, pretrained) -> linear.substituteWeight(w -> mix(w, pretrained, p)));
        return () -> targets.keySet().forEach(linear -> linear.substituteWeight(null));
    }

    /**
     * One draw of {@code ((1 − M)⊙u + M⊙w − p·u)/(1 − p)} with {@code M ~ Bernoulli(1 − p)}
     * element-wise, recorded by autograd (w may require a gradient; u must not). At p = 0 it is w exactly.
     */
    public static NDArray mix(NDArray w, NDArray u, double p) {
        NDManager manager = w.getManager();
        NDArray one = Scalars.constant(manager, 1);
        NDArray drop = Scalars.constant(manager, p);
        NDArray keep = manager.randomUniform(0f, 1f, w.getShape()).gte(drop).toType(DataType.FLOAT32, false);
        NDArray fixed = u.mul(one.sub(keep).sub(drop)); // (1 − M − p)·u, no gradient
        return keep.mul(w).add(fixed).div(one.sub(drop));
    }
}
