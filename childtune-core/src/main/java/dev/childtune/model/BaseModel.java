package dev.childtune.model;

/**
 * The encoder part of a model (Hugging Face's {@code base_model}): token ids in, hidden states
 * out. BERT, RoBERTa and ELECTRA implement it; XLNet will too.
 */
public interface BaseModel {
    EncoderOutput forward(ModelInputs inputs, boolean training);
}
