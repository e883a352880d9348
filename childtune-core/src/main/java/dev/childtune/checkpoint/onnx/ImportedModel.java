package dev.childtune.checkpoint.onnx;

import java.nio.file.Path;

/**
 * The result of {@link OnnxBertImporter#importBert}: the Hugging Face folder written and the
 * BERT dimensions found in the ONNX graph (also written to its {@code config.json}).
 *
 * @param folder the folder holding config.json, model.safetensors, tokenizer.json and tokenizer_config.json
 * @param vocabSize rows of the word embedding
 * @param hiddenSize columns of the word embedding
 * @param numHiddenLayers number of {@code encoder.layer.N} blocks
 * @param numAttentionHeads attention heads per layer
 * @param intermediateSize width of the feed-forward layer
 * @param maxPositionEmbeddings rows of the position embedding
 * @param typeVocabSize rows of the token type embedding
 * @param headCountSource how {@code numAttentionHeads} was determined
 */
public record ImportedModel(Path folder, int vocabSize, int hiddenSize, int numHiddenLayers,
        int numAttentionHeads, int intermediateSize, int maxPositionEmbeddings, int typeVocabSize,
        HeadCountSource headCountSource) {

    /** Where the number of attention heads came from (weight shapes cannot tell it). */
    public enum HeadCountSource {
        /** The constant target shape {@code [.., .., heads, headSize]} of the Reshape that splits the query into heads. */
        ATTENTION_RESHAPE,
        /** The scalar that divides (or multiplies) the attention scores: {@code sqrt(headSize)} (or its inverse). */
        ATTENTION_SCALE,
        /** Given by the caller. */
        GIVEN
    }
}
