package dev.childtune.tuning;

import dev.childtune.model.SequenceClassifier;
import java.util.function.ToDoubleFunction;

/**
 * Layer-wise learning-rate decay with factor γ: the head and the pooler train at lr, the top
 * encoder layer at lr·γ, and each layer below at one more factor γ; the embeddings (and
 * everything else in the body below the first layer, such as ELECTRA's projection) at lr·γ^(L+1),
 * for L layers. So layer l (0 = the lowest) trains at lr·γ^(L−l).
 */
public final class LayerwiseLrDecay {
    private LayerwiseLrDecay() {}

    /** The factor on each parameter's learning rate. */
    public static ToDoubleFunction<String> scales(SequenceClassifier model, double gamma) {
        int layers = model.config().numHiddenLayers();
        return name -> {
            if (!model.inBaseModel(name) || model.inPooler(name)) {
                return 1.0;
            }
            int layer = model.encoderLayer(name);
            return Math.pow(gamma, layer >= 0 ? layers - layer : layers + 1);
        };
    }
}
