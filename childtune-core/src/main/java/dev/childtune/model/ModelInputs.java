package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * One padded batch as the encoders take it, all int64 of shape (batch, seq).
 *
 * @param inputIds token ids
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param tokenTypeIds segment ids, or null for all zeros (as Hugging Face does)
 * @param wordEmbeddingNoise applied to the word embeddings looked up for {@code inputIds} before anything
 *     is added to them (R3F's noised pass: {@code e -> detach(e) + z}), or null for none
 */
public record ModelInputs(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds,
        UnaryOperator<NDArray> wordEmbeddingNoise) {

    public ModelInputs(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds) {
        this(inputIds, attentionMask, tokenTypeIds, null);
    }

    /** The same batch with its word embeddings passed through {@code noise}. */
    public ModelInputs withWordEmbeddingNoise(UnaryOperator<NDArray> noise) {
        return new ModelInputs(inputIds, attentionMask, tokenTypeIds, noise);
    }

    /** The word embeddings as the model should use them: {@code looked} itself, or its noised version. */
    public NDArray perturb(NDArray looked) {
        return wordEmbeddingNoise == null ? looked : wordEmbeddingNoise.apply(looked);
    }
}
