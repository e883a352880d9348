package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import dev.childtune.model.Bert.BertEmbeddings;
import dev.childtune.model.Bert.BertEncoder;
import dev.childtune.model.Roberta.RobertaClassificationHead;
import dev.childtune.model.nn.Linear;
import dev.childtune.model.nn.Module;

/**
 * ELECTRA (the discriminator), as Hugging Face's {@code modeling_electra.py}: BERT's embeddings at
 * {@code embedding_size}, a projection to {@code hidden_size} when the two differ, BERT's encoder,
 * and a dense -> gelu -> out_proj head on the first token.
 */
public final class Electra {
    private Electra() {}

    /** Embeddings, optional projection, encoder. */
    public static class ElectraModel extends Module implements BaseModel {
        final BertEmbeddings embeddings;
        final Linear embeddingsProject;
        final BertEncoder encoder;

        ElectraModel(ModelConfig config) {
            embeddings = child("embeddings", new BertEmbeddings(config, config.embeddingSize(), null));
            embeddingsProject = config.embeddingSize() != config.hiddenSize()
                    ? child("embeddings_project", new Linear(config.embeddingSize(), config.hiddenSize()))
                    : null;
            encoder = child("encoder", new BertEncoder(config));
        }

        /** The embeddings before the projection, (batch, seq, embedding_size). */
        NDArray embed(ModelInputs inputs, boolean training) {
            return embeddings.forward(inputs, training);
        }

        @Override
        public EncoderOutput forward(ModelInputs inputs, boolean training) {
            NDArray hiddenStates = embed(inputs, training);
            if (embeddingsProject != null) {
                hiddenStates = embeddingsProject.forward(hiddenStates);
            }
            return encoder.forward(hiddenStates, inputs.attentionMask(), training);
        }
    }

    /** RoBERTa's head with gelu instead of tanh. */
    public static class ElectraClassificationHead extends RobertaClassificationHead {
        ElectraClassificationHead(ModelConfig config) {
            super(config, "gelu");
        }
    }

    /** ELECTRA with the discriminator's classification head. */
    public static class ElectraForSequenceClassification extends SequenceClassifier {
        final ElectraModel electra;
        final ElectraClassificationHead classifier;

        public ElectraForSequenceClassification(ModelConfig config) {
            super(config);
            electra = child("electra", new ElectraModel(config));
            classifier = child("classifier", new ElectraClassificationHead(config));
        }

        @Override
        public String baseModelPrefix() {
            return "electra";
        }

        @Override
        public BaseModel baseModel() {
            return electra;
        }

        @Override
        public ClassifierOutput forward(ModelInputs inputs, boolean training) {
            EncoderOutput outputs = electra.forward(inputs, training);
            NDArray[] head = classifier.forward(outputs.lastHiddenState(), training);
            return new ClassifierOutput(head[0], head[1], outputs);
        }
    }
}
