package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a base model returns, as Hugging Face's {@code BaseModelOutput}.
 *
 * @param lastHiddenState (batch, seq, hidden), padding positions included
 * @param hiddenStates the embedding output followed by the output of every layer
 * @param attentions every layer's attention probabilities (batch, heads, query, key)
 */
public record EncoderOutput(NDArray lastHiddenState, List<NDArray> hiddenStates, List<NDArray> attentions) {}
