package dev.childtune.model;

import ai.djl.ndarray.NDArray;

/**
 * One padded batch as the encoders take it, all int64 of shape (batch, seq).
 *
 * @param inputIds token ids
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param tokenTypeIds segment ids, or null for all zeros (as Hugging Face does)
 */
public record ModelInputs(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds) {}
