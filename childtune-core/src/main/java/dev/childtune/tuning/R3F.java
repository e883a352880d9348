package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.ChildTuneException;
import dev.childtune.model.ClassifierOutput;
import dev.childtune.model.ModelInputs;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Scalars;
import dev.childtune.train.LossTerm;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * R3F (Aghajanyan et al., "Better Fine-Tuning by Reducing Representational Collapse", ICLR 2021),
 * as fairseq's {@code sentence_prediction_r3f} computes it: a second forward pass on the same batch
 * whose word embeddings are detached and noised, {@code e' = detach(e) + z} with z drawn from
 * U(−σ, σ) or N(0, σ²) per element, and the term
 *
 * <pre>  λ · mean over the batch of  KL(p ‖ p') + KL(p' ‖ p),   p = softmax(f(x)), p' = softmax(f(x'))  </pre>
 *
 * added to the task loss, differentiated through both passes. For a regression head (one output)
 * the term is {@code λ·mean((f(x) − f(x'))²)} (fairseq has none there). Defaults are fairseq's:
 * λ = 1, σ = 1e-5, uniform noise. The noise comes from the engine's generator, which the loop seeds
 * with (seed, step). The cost is a second forward and backward pass per batch.
 */
public final class R3F implements LossTerm {
    /** The distribution of the noise on the word embeddings. */
    public enum Noise {
        UNIFORM, NORMAL;

        public static Noise fromName(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ChildTuneException("R3F noise: expected uniform or normal, got '" + name + "'");
            }
        }
    }

    /**
     * @param lambda the weight λ of the term
     * @param sigma the noise scale σ (the half-width of U(−σ, σ), or the standard deviation of N(0, σ²))
     */
    public record Options(double lambda, double sigma, Noise noise) {
        public static final Options DEFAULTS = new Options(1.0, 1e-5, Noise.UNIFORM);

        public Options {
            if (!(lambda >= 0) || !(sigma >= 0) || noise == null) {
                throw new ChildTuneException("R3F needs lambda >= 0, sigma >= 0 and a noise type, got lambda = " + lambda
                        + ", sigma = " + sigma);
            }
        }
    }

    private final Options options;

    public R3F(Options options) {
        this.options = options;
    }

    @Override
    public NDArray term(SequenceClassifier model, ModelInputs inputs, ClassifierOutput output, boolean dropout) {
        NDManager manager = inputs.inputIds().getManager();
        float sigma = (float) options.sigma();
        UnaryOperator<NDArray> noised = e -> e.stopGradient().add(options.noise() == Noise.UNIFORM
                ? manager.randomUniform(-sigma, sigma, e.getShape())
                : manager.randomNormal(0f, sigma, e.getShape(), e.getDataType()));
        NDArray logits = output.logits();
        NDArray noisedLogits = model.forward(inputs.withWordEmbeddingNoise(noised), dropout).logits();
        NDArray divergence;
        if (model.config().isRegression()) {
            NDArray diff = logits.sub(noisedLogits);
            divergence = diff.mul(diff).sum(new int[] {-1}).mean();
        } else {
            // KL(p‖q) + KL(q‖p) = Σ (p − q)(log p − log q)
            NDArray logP = logits.logSoftmax(-1);
            NDArray logQ = noisedLogits.logSoftmax(-1);
            divergence = logP.exp().sub(logQ.exp()).mul(logP.sub(logQ)).sum(new int[] {-1}).mean();
        }
        return divergence.mul(Scalars.constant(manager, options.lambda()));
    }
}
