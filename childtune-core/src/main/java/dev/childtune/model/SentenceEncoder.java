package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.childtune.text.Encoded;
import dev.childtune.text.TextTokenizer;

/**
 * Runs text through a model's encoder in inference mode (no dropout, no gradients) and returns the
 * classification token's vector and the attention-masked mean of the last hidden state.
 */
public final class SentenceEncoder {
    private final PretrainedModel model;
    private final TextTokenizer tokenizer;

    public SentenceEncoder(PretrainedModel model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * @param tokens the tokens, special ones included
     * @param cls the last hidden state at the classification token ([CLS] first for BERT, {@code <cls>}
     *     last for XLNet)
     * @param mean the mean of {@code last_hidden_state} over real tokens
     */
    public record Encoding(String[] tokens, long[] inputIds, long[] tokenTypeIds, float[] cls, float[] mean) {}

    /** @param textPair the second segment, or null for a single sentence */
    public Encoding encode(String text, String textPair) {
        Encoded encoded = tokenizer.encode(text, textPair);
        try (NDManager manager = model.manager().newSubManager()) {
            NDArray ids = manager.create(new long[][] {encoded.inputIds()});
            NDArray mask = manager.create(new long[][] {encoded.attentionMask()});
            NDArray types = manager.create(new long[][] {encoded.tokenTypeIds()});
            EncoderOutput out = model.classifier().baseModel().forward(new ModelInputs(ids, mask, types), false);
            NDArray hidden = out.lastHiddenState();
            int clsIndex = model.classifier().classificationTokenIndex(encoded.inputIds().length);
            float[] cls = hidden.get(new NDIndex("0, {}", clsIndex)).toFloatArray();
            NDArray weights = mask.toType(DataType.FLOAT32, false).expandDims(-1);
            float[] mean = hidden.mul(weights).sum(new int[] {1}).div(weights.sum(new int[] {1})).get(0).toFloatArray();
            return new Encoding(encoded.tokens(), encoded.inputIds(), encoded.tokenTypeIds(), cls, mean);
        }
    }
}
