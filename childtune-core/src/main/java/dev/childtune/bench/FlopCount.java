package dev.childtune.bench;

import dev.childtune.model.ModelConfig;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Parameter;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The model FLOPs of a step, counted as the MFU literature does (Kaplan et al. 2020; PaLM,
 * appendix B), for a batch of {@code B} sequences of {@code S} tokens ({@code T = B·S} tokens)
 * through a model with {@code N} non-embedding parameters, {@code L} layers of width {@code h}:
 * <ul>
 *   <li>dense products: every non-embedding weight is one multiply-add (2 FLOPs) per token
 *       forward and two backward (input and weight gradients): {@code 6·N·T} for training,
 *       {@code 2·N·T} for inference;</li>
 *   <li>attention products: {@code Q·Kᵀ} and {@code P·V} are {@code 2·S·h} multiply-adds per token
 *       and layer, {@code 4·L·h·S} FLOPs per token forward, three times that with the backward:
 *       {@code 12·L·h·S·T} for training, {@code 4·L·h·S·T} for inference.</li>
 * </ul>
 * Embedding tables (word, position, token type; XLNet's word table and {@code mask_emb}) are
 * lookups, not products, and are left out of {@code N}; biases and LayerNorm weights are counted
 * in {@code N} as the convention does (well under 1% of it). The pooler and the classifier act
 * once per sequence, not per token, yet are counted per token like the rest of {@code N}: an
 * overcount of about 0.7% for BERT-base and 1.4% for MiniLM-L6, accepted to keep the standard
 * formula. Softmax, GELU, LayerNorm, dropout and the optimizer are not model FLOPs. Padding
 * tokens count (the benchmark's batches carry none). XLNet's relative-position products are not
 * counted.
 */
public final class FlopCount {
    private FlopCount() {}

    /** Embedding tables: a module named {@code *_embeddings} / {@code *_embedding}, or XLNet's {@code mask_emb}. */
    private static final Pattern EMBEDDING_TABLE = Pattern.compile("(^|\\.)\\w*_embeddings?\\.weight$|(^|\\.)mask_emb$");

    /** Whether a parameter is an embedding table (not counted in {@code N}). */
    public static boolean isEmbeddingTable(String name) {
        return EMBEDDING_TABLE.matcher(name).find();
    }

    /** {@code N}: the elements of every parameter but the embedding tables. */
    public static long nonEmbeddingParameters(Map<String, Parameter> parameters) {
        long n = 0;
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            if (!isEmbeddingTable(e.getKey())) {
                n += e.getValue().shape().size();
            }
        }
        return n;
    }

    /** {@code N} of a model. */
    public static long nonEmbeddingParameters(SequenceClassifier model) {
        return nonEmbeddingParameters(model.namedParameters());
    }

    /**
     * The FLOPs of one step, split by kind.
     *
     * @param nonEmbeddingParameters {@code N}
     * @param dense {@code 6·N·T} (training) or {@code 2·N·T} (inference)
     * @param attention {@code 12·L·h·S·T} (training) or {@code 4·L·h·S·T} (inference)
     */
    public record Count(long nonEmbeddingParameters, long tokens, double dense, double attention) {
        public double total() {
            return dense + attention;
        }
    }

    /** Forward and backward of a batch of {@code batch × length} tokens. */
    public static Count training(long nonEmbeddingParameters, int layers, int hidden, int batch, int length) {
        long tokens = (long) batch * length;
        return new Count(nonEmbeddingParameters, tokens, 6.0 * nonEmbeddingParameters * tokens,
                12.0 * layers * hidden * (double) length * tokens);
    }

    /** Forward only (evaluation). */
    public static Count inference(long nonEmbeddingParameters, int layers, int hidden, int batch, int length) {
        long tokens = (long) batch * length;
        return new Count(nonEmbeddingParameters, tokens, 2.0 * nonEmbeddingParameters * tokens,
                4.0 * layers * hidden * (double) length * tokens);
    }

    /** {@link #training} for a model. */
    public static Count training(SequenceClassifier model, int batch, int length) {
        ModelConfig c = model.config();
        return training(nonEmbeddingParameters(model), c.numHiddenLayers(), c.hiddenSize(), batch, length);
    }

    /** {@link #inference} for a model. */
    public static Count inference(SequenceClassifier model, int batch, int length) {
        ModelConfig c = model.config();
        return inference(nonEmbeddingParameters(model), c.numHiddenLayers(), c.hiddenSize(), batch, length);
    }
}
