package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.childtune.model.Bert.BertEmbeddings;
import dev.childtune.model.Bert.BertEncoder;
import dev.childtune.model.nn.Dropout;
import dev.childtune.model.nn.Linear;
import dev.childtune.model.nn.Module;

/**
 * RoBERTa, as Hugging Face's {@code modeling_roberta.py}: BERT's encoder, position ids derived
 * from the padding in {@code input_ids}, no pooler in the classifier, a two-layer head on {@code <s>}.
 */
public final class Roberta {
    private Roberta() {}

    /** BERT's embeddings with positions padding_idx + 1, + 2, ... for real tokens and padding_idx for padding. */
    public static class RobertaEmbeddings extends BertEmbeddings {
        private final int paddingIdx;

        RobertaEmbeddings(ModelConfig config) {
            super(config, config.hiddenSize(), config.padTokenId());
            paddingIdx = config.padTokenId();
        }

        /** {@code cumsum(input_ids != pad) * (input_ids != pad) + pad}, from the ids, not the attention mask. */
        @Override
        protected NDArray positionIds(NDArray inputIds) {
            NDArray mask = inputIds.neq(paddingIdx).toType(DataType.INT64, false);
            return mask.cumSum(1).mul(mask).add(paddingIdx);
        }
    }

    /** Embeddings and encoder (the sequence classifier builds it without a pooler). */
    public static class RobertaModel extends Module implements BaseModel {
        final RobertaEmbeddings embeddings;
        final BertEncoder encoder;

        RobertaModel(ModelConfig config) {
            embeddings = child("embeddings", new RobertaEmbeddings(config));
            encoder = child("encoder", new BertEncoder(config));
        }

        @Override
        public EncoderOutput forward(ModelInputs inputs, boolean training) {
            NDArray embeddingOutput = embeddings.forward(inputs, training);
            return encoder.forward(embeddingOutput, inputs.attentionMask(), training);
        }
    }

    /** dropout -> dense -> tanh -> dropout -> out_proj, on the first token (ELECTRA's uses gelu). */
    public static class RobertaClassificationHead extends Module {
        final Dropout dropout;
        final Linear dense;
        final Linear outProj;
        final String activation;

        /** @param activation "tanh" for RoBERTa, "gelu" for ELECTRA */
        RobertaClassificationHead(ModelConfig config, String activation) {
            dense = child("dense", new Linear(config.hiddenSize(), config.hiddenSize()));
            dropout = child("dropout", new Dropout(config.headDropout()));
            outProj = child("out_proj", new Linear(config.hiddenSize(), config.numLabels()));
            this.activation = activation;
        }

        /** @return the logits and the activation that feeds out_proj */
        NDArray[] forward(NDArray features, boolean training) {
            NDArray x = dropout.forward(Bert.firstToken(features), training);
            x = dense.forward(x);
            x = activation.equals("tanh") ? x.tanh() : Bert.activation(activation, x);
            NDArray logits = outProj.forward(dropout.forward(x, training));
            return new NDArray[] {logits, x};
        }
    }

    /** RoBERTa with its classification head. */
    public static class RobertaForSequenceClassification extends SequenceClassifier {
        final RobertaModel roberta;
        final RobertaClassificationHead classifier;

        public RobertaForSequenceClassification(ModelConfig config) {
            super(config);
            roberta = child("roberta", new RobertaModel(config));
            classifier = child("classifier", new RobertaClassificationHead(config, "tanh"));
        }

        @Override
        public String baseModelPrefix() {
            return "roberta";
        }

        @Override
        public BaseModel baseModel() {
            return roberta;
        }

        @Override
        public ClassifierOutput forward(ModelInputs inputs, boolean training) {
            EncoderOutput outputs = roberta.forward(inputs, training);
            NDArray[] head = classifier.forward(outputs.lastHiddenState(), training);
            return new ClassifierOutput(head[0], head[1], outputs);
        }
    }
}
