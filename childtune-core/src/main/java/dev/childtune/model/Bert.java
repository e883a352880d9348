package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.childtune.model.nn.Dropout;
import dev.childtune.model.nn.Embedding;
import dev.childtune.model.nn.LayerNorm;
import dev.childtune.model.nn.Linear;
import dev.childtune.model.nn.Module;
import dev.childtune.model.nn.ModuleList;
import dev.childtune.model.nn.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT, as Hugging Face's {@code modeling_bert.py} (Transformers 4.31) defines it: the same
 * classes, the same attribute names, the same order of operations. RoBERTa and ELECTRA reuse
 * the encoder from here.
 */
public final class Bert {
    private Bert() {}

    /** Word + position + token-type embeddings, then LayerNorm and dropout. */
    public static class BertEmbeddings extends Module {
        final Embedding wordEmbeddings;
        final Embedding positionEmbeddings;
        final Embedding tokenTypeEmbeddings;
        final LayerNorm layerNorm;
        final Dropout dropout;

        /** @param width hidden_size for BERT and RoBERTa, embedding_size for ELECTRA */
        public BertEmbeddings(ModelConfig config, int width, Integer positionPaddingIdx) {
            wordEmbeddings = child("word_embeddings", new Embedding(config.vocabSize(), width, config.padTokenId()));
            positionEmbeddings = child("position_embeddings",
                    new Embedding(config.maxPositionEmbeddings(), width, positionPaddingIdx));
            tokenTypeEmbeddings = child("token_type_embeddings", new Embedding(config.typeVocabSize(), width, null));
            layerNorm = child("LayerNorm", new LayerNorm(width, config.layerNormEps()));
            dropout = child("dropout", new Dropout(config.hiddenDropoutProb()));
        }

        /** BERT numbers positions 0, 1, 2, ... whatever the padding. */
        protected NDArray positionIds(NDArray inputIds) {
            long seqLength = inputIds.getShape().get(1);
            return inputIds.getManager().arange(0L, seqLength, 1L, DataType.INT64).expandDims(0);
        }

        public NDArray forward(NDArray inputIds, NDArray tokenTypeIds, boolean training) {
            return forward(new ModelInputs(inputIds, null, tokenTypeIds), training);
        }

        /** Uses the ids and segment ids of {@code inputs}, and its word-embedding noise if any (R3F). */
        public NDArray forward(ModelInputs inputs, boolean training) {
            NDArray inputIds = inputs.inputIds();
            NDArray tokenTypeIds = inputs.tokenTypeIds();
            if (tokenTypeIds == null) {
                tokenTypeIds = inputIds.zerosLike();
            }
            NDArray embeddings = inputs.perturb(wordEmbeddings.forward(inputIds))
                    .add(tokenTypeEmbeddings.forward(tokenTypeIds))
                    .add(positionEmbeddings.forward(positionIds(inputIds)));
            embeddings = layerNorm.forward(embeddings);
            return dropout.forward(embeddings, training);
        }
    }

    /** Multi-head scaled dot-product self-attention. */
    public static class BertSelfAttention extends Module {
        final int numAttentionHeads;
        final int attentionHeadSize;
        final Linear query;
        final Linear key;
        final Linear value;
        final Dropout dropout;

        BertSelfAttention(ModelConfig config) {
            numAttentionHeads = config.numAttentionHeads();
            attentionHeadSize = config.headSize();
            int h = config.hiddenSize();
            query = child("query", new Linear(h, h));
            key = child("key", new Linear(h, h));
            value = child("value", new Linear(h, h));
            dropout = child("dropout", new Dropout(config.attentionProbsDropoutProb()));
        }

        /** (batch, seq, hidden) -> (batch, heads, seq, headSize) */
        private NDArray transposeForScores(NDArray x) {
            Shape s = x.getShape();
            return x.reshape(s.get(0), s.get(1), numAttentionHeads, attentionHeadSize).transpose(0, 2, 1, 3);
        }

        /** @return the context layer (batch, seq, hidden) and the attention probabilities */
        NDArray[] forward(NDArray hiddenStates, NDArray extendedAttentionMask, boolean training) {
            // Hugging Face divides the (batch, heads, seq, seq) scores by √d; dividing the queries
            // instead is the same product with seq/hidden·heads times fewer divisions, forward and back.
            NDArray scaledQuery = query.forward(hiddenStates)
                    .div(Scalars.constant(hiddenStates.getManager(), Math.sqrt(attentionHeadSize)));
            NDArray queryLayer = transposeForScores(scaledQuery);
            NDArray keyLayer = transposeForScores(key.forward(hiddenStates));
            NDArray valueLayer = transposeForScores(value.forward(hiddenStates));
            // (batch, heads, seq, seq)
            NDArray attentionScores = queryLayer.matMul(keyLayer.transpose(0, 1, 3, 2)).add(extendedAttentionMask);
            NDArray attentionProbs = attentionScores.softmax(-1);
            NDArray contextLayer = dropout.forward(attentionProbs, training).matMul(valueLayer);
            Shape s = hiddenStates.getShape();
            contextLayer = contextLayer.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), s.get(2));
            return new NDArray[] {contextLayer, attentionProbs};
        }
    }

    /** dense -> dropout -> LayerNorm(residual): shared shape of BertSelfOutput and BertOutput. */
    public static class BertSelfOutput extends Module {
        final Linear dense;
        final LayerNorm layerNorm;
        final Dropout dropout;

        BertSelfOutput(ModelConfig config, int inputSize) {
            dense = child("dense", new Linear(inputSize, config.hiddenSize()));
            layerNorm = child("LayerNorm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
            dropout = child("dropout", new Dropout(config.hiddenDropoutProb()));
        }

        NDArray forward(NDArray hiddenStates, NDArray inputTensor, boolean training) {
            hiddenStates = dropout.forward(dense.forward(hiddenStates), training);
            return layerNorm.forward(hiddenStates.add(inputTensor));
        }
    }

    /** Self-attention followed by its output projection. */
    public static class BertAttention extends Module {
        final BertSelfAttention self;
        final BertSelfOutput output;

        BertAttention(ModelConfig config) {
            self = child("self", new BertSelfAttention(config));
            output = child("output", new BertSelfOutput(config, config.hiddenSize()));
        }

        NDArray[] forward(NDArray hiddenStates, NDArray extendedAttentionMask, boolean training) {
            NDArray[] selfOutputs = self.forward(hiddenStates, extendedAttentionMask, training);
            return new NDArray[] {output.forward(selfOutputs[0], hiddenStates, training), selfOutputs[1]};
        }
    }

    /** The feed-forward expansion: dense -> activation. */
    public static class BertIntermediate extends Module {
        final Linear dense;
        final String hiddenAct;

        BertIntermediate(ModelConfig config) {
            dense = child("dense", new Linear(config.hiddenSize(), config.intermediateSize()));
            hiddenAct = config.hiddenAct();
        }

        NDArray forward(NDArray hiddenStates) {
            return activation(hiddenAct, dense.forward(hiddenStates));
        }
    }

    /** Hugging Face's ACT2FN for the activations ChildTune supports; "gelu" is the exact erf form. */
    static NDArray activation(String name, NDArray x) {
        return switch (name) {
            case "gelu" -> Activation.gelu(x);
            case "relu" -> Activation.relu(x);
            default -> throw new IllegalArgumentException("unsupported activation " + name);
        };
    }

    /** One transformer block. */
    public static class BertLayer extends Module {
        final BertAttention attention;
        final BertIntermediate intermediate;
        final BertSelfOutput output;

        BertLayer(ModelConfig config) {
            attention = child("attention", new BertAttention(config));
            intermediate = child("intermediate", new BertIntermediate(config));
            output = child("output", new BertSelfOutput(config, config.intermediateSize()));
        }

        NDArray[] forward(NDArray hiddenStates, NDArray extendedAttentionMask, boolean training) {
            NDArray[] attentionOutputs = attention.forward(hiddenStates, extendedAttentionMask, training);
            NDArray attentionOutput = attentionOutputs[0];
            NDArray layerOutput = output.forward(intermediate.forward(attentionOutput), attentionOutput, training);
            return new NDArray[] {layerOutput, attentionOutputs[1]};
        }
    }

    /** The stack of layers. */
    public static class BertEncoder extends Module {
        final ModuleList<BertLayer> layer;

        public BertEncoder(ModelConfig config) {
            layer = child("layer", new ModuleList<>(config.numHiddenLayers(), i -> new BertLayer(config)));
        }

        /**
         * @param embeddingOutput (batch, seq, hidden)
         * @param attentionMask (batch, seq), 1 for real tokens
         */
        public EncoderOutput forward(NDArray embeddingOutput, NDArray attentionMask, boolean training) {
            NDArray extended = extendedAttentionMask(attentionMask);
            List<NDArray> hiddenStates = new ArrayList<>();
            List<NDArray> attentions = new ArrayList<>();
            NDArray h = embeddingOutput;
            for (BertLayer block : layer.items()) {
                hiddenStates.add(h);
                NDArray[] outputs = block.forward(h, extended, training);
                h = outputs[0];
                attentions.add(outputs[1]);
            }
            hiddenStates.add(h);
            return new EncoderOutput(h, List.copyOf(hiddenStates), List.copyOf(attentions));
        }
    }

    /**
     * {@code (1 - mask[:, None, None, :]) * finfo(float32).min}: added to the attention scores, it
     * gives masked keys a probability of exactly 0.
     */
    static NDArray extendedAttentionMask(NDArray attentionMask) {
        Shape s = attentionMask.getShape();
        NDArray mask = attentionMask.toType(DataType.FLOAT32, false).reshape(s.get(0), 1, 1, s.get(1));
        return mask.neg().add(1f).mul(-Float.MAX_VALUE);
    }

    /** tanh(dense(h[:, 0])). */
    public static class BertPooler extends Module {
        final Linear dense;

        BertPooler(ModelConfig config) {
            dense = child("dense", new Linear(config.hiddenSize(), config.hiddenSize()));
        }

        NDArray forward(NDArray hiddenStates) {
            return dense.forward(firstToken(hiddenStates)).tanh();
        }
    }

    /** h[:, 0] of a (batch, seq, hidden) array. */
    static NDArray firstToken(NDArray hiddenStates) {
        return hiddenStates.get(new NDIndex(":, 0"));
    }

    /** Embeddings, encoder and (optionally) pooler. */
    public static class BertModel extends Module implements BaseModel {
        final BertEmbeddings embeddings;
        final BertEncoder encoder;
        final BertPooler pooler;

        public BertModel(ModelConfig config, boolean addPoolingLayer) {
            embeddings = child("embeddings", new BertEmbeddings(config, config.hiddenSize(), null));
            encoder = child("encoder", new BertEncoder(config));
            pooler = addPoolingLayer ? child("pooler", new BertPooler(config)) : null;
        }

        @Override
        public EncoderOutput forward(ModelInputs inputs, boolean training) {
            NDArray embeddingOutput = embeddings.forward(inputs, training);
            return encoder.forward(embeddingOutput, inputs.attentionMask(), training);
        }

        NDArray pool(EncoderOutput output) {
            return pooler.forward(output.lastHiddenState());
        }
    }

    /** BERT with pooler, dropout and a linear classifier (or regressor when num_labels = 1). */
    public static class BertForSequenceClassification extends SequenceClassifier {
        final BertModel bert;
        final Dropout dropout;
        final Linear classifier;

        public BertForSequenceClassification(ModelConfig config) {
            super(config);
            bert = child("bert", new BertModel(config, true));
            dropout = child("dropout", new Dropout(config.headDropout()));
            classifier = child("classifier", new Linear(config.hiddenSize(), config.numLabels()));
        }

        @Override
        public String baseModelPrefix() {
            return "bert";
        }

        @Override
        public BaseModel baseModel() {
            return bert;
        }

        @Override
        public ClassifierOutput forward(ModelInputs inputs, boolean training) {
            EncoderOutput outputs = bert.forward(inputs, training);
            NDArray pooledOutput = bert.pool(outputs);
            NDArray logits = classifier.forward(dropout.forward(pooledOutput, training));
            return new ClassifierOutput(logits, pooledOutput, outputs);
        }
    }
}
