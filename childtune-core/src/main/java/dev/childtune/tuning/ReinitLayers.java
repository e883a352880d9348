package dev.childtune.tuning;

import ai.djl.ndarray.NDManager;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Re-initialising the top N encoder layers before fine-tuning (Zhang et al., "Revisiting
 * Few-sample BERT Fine-tuning", ICLR 2021): every tensor of those layers is drawn afresh by
 * Hugging Face's {@code _init_weights} rule for its kind (normal(0, initializer_range) weights,
 * zero biases, LayerNorm weight 1 and bias 0), from a generator seeded by the run's seed. Nothing
 * else changes (the pooler keeps its pretrained weights).
 */
public final class ReinitLayers {
    private ReinitLayers() {}

    /**
     * @param n how many of the top layers, at most the model's number of layers
     * @return the names of the re-initialised tensors
     */
    public static List<String> apply(SequenceClassifier model, int n, long seed, NDManager manager) {
        int layers = model.config().numHiddenLayers();
        Random random = new Random(seed ^ 0x5EED_0F_1417L);
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            int layer = model.encoderLayer(e.getKey());
            if (n > 0 && layer >= layers - n) {
                Parameter p = e.getValue();
                p.setArray(PretrainedModel.initialValue(manager, p, model.config(), random));
                names.add(e.getKey());
            }
        }
        return names;
    }
}
