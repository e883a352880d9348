package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.childtune.model.nn.Module;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A base model plus a sequence-classification head, Hugging Face's
 * {@code *ForSequenceClassification}. With {@code num_labels = 1} the head is a regressor.
 */
public abstract class SequenceClassifier extends Module {
    private final ModelConfig config;

    protected SequenceClassifier(ModelConfig config) {
        this.config = config;
    }

    public final ModelConfig config() {
        return config;
    }

    /** The attribute name of the base model ("bert", "roberta", "electra"): the key prefix. */
    public abstract String baseModelPrefix();

    public abstract BaseModel baseModel();

    /** Whether a parameter belongs to the pretrained body ({@code <prefix>.*}) rather than the task head. */
    public final boolean inBaseModel(String parameterName) {
        return parameterName.startsWith(baseModelPrefix() + ".");
    }

    /**
     * The encoder block a parameter belongs to, 0 for the lowest ({@code bert.encoder.layer.N.*},
     * {@code transformer.layer.N.*}), or -1 for embeddings, pooler and head.
     */
    public final int encoderLayer(String parameterName) {
        Matcher m = Pattern.compile("^" + Pattern.quote(baseModelPrefix()) + "\\.(?:encoder\\.)?layer\\.(\\d+)\\.")
                .matcher(parameterName);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Whether a parameter belongs to BERT's pooler ({@code bert.pooler.*}), pretrained but above the encoder. */
    public final boolean inPooler(String parameterName) {
        return parameterName.startsWith(baseModelPrefix() + ".pooler.");
    }

    /**
     * Parameters the classification forward pass never reads (XLNet's {@code mask_emb}, an input of
     * pretraining's query stream). Hugging Face leaves their {@code .grad} None, so its optimizer
     * neither moves nor decays them; the optimizer step here skips them likewise.
     */
    public Set<String> parametersWithoutGradient() {
        return Set.of();
    }

    /**
     * The position of the token whose vector the head classifies, in a sequence of {@code length}
     * tokens: the first ([CLS], {@code <s>}) for the BERT family.
     */
    public int classificationTokenIndex(int length) {
        return 0;
    }

    /** Logits for a batch; dropout is active only when {@code training}. */
    public abstract ClassifierOutput forward(ModelInputs inputs, boolean training);

    /**
     * Hugging Face's loss for the config's problem type: mean squared error of {@code logits[:, 0]}
     * against float labels for regression, else the mean cross-entropy against int64 class ids.
     */
    public NDArray loss(NDArray logits, NDArray labels) {
        if (config.isRegression()) {
            NDArray diff = logits.reshape(-1).sub(labels.toType(DataType.FLOAT32, false).reshape(-1));
            return diff.mul(diff).mean();
        }
        NDArray logProbs = logits.logSoftmax(-1);
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot(config.numLabels(), DataType.FLOAT32);
        return logProbs.mul(oneHot).sum(new int[] {-1}).mean().neg();
    }
}
