package dev.childtune.model;

import ai.djl.ndarray.NDArray;

/**
 * What a sequence-classification model returns.
 *
 * @param logits (batch, num_labels)
 * @param headInput the vector the final projection reads: BERT's pooled output, RoBERTa's and
 *     ELECTRA's {@code classifier.dense} activation
 * @param encoder the base model's output
 */
public record ClassifierOutput(NDArray logits, NDArray headInput, EncoderOutput encoder) {}
