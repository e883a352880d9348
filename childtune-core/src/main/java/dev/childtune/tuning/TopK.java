package dev.childtune.tuning;

import dev.childtune.model.SequenceClassifier;
import java.util.function.Predicate;

/**
 * Top-K tuning: only the top K encoder layers, the pooler (BERT) and the head train; the
 * embeddings and every layer below are frozen. A frozen parameter gets no gradient (autograd does
 * not compute it) and the optimizer keeps no state for it. K = 0 trains the pooler and head only.
 */
public final class TopK {
    private TopK() {}

    /** The parameters that train with the top {@code k} of the model's encoder layers. */
    public static Predicate<String> trainable(SequenceClassifier model, int k) {
        int layers = model.config().numHiddenLayers();
        return name -> {
            if (!model.inBaseModel(name) || model.inPooler(name)) {
                return true;
            }
            int layer = model.encoderLayer(name);
            return layer >= 0 && layer >= layers - k;
        };
    }
}
