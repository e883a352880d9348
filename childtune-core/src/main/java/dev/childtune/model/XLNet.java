package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.childtune.ChildTuneException;
import dev.childtune.model.nn.Dropout;
import dev.childtune.model.nn.Embedding;
import dev.childtune.model.nn.LayerNorm;
import dev.childtune.model.nn.Linear;
import dev.childtune.model.nn.Module;
import dev.childtune.model.nn.ModuleList;
import dev.childtune.model.nn.Parameter;
import dev.childtune.model.nn.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * XLNet for sequence classification, as Hugging Face's {@code modeling_xlnet.py} (Transformers
 * 4.31) computes it on the classification path: the content stream only (no memory, no
 * {@code perm_mask}, no two-stream query attention), relative positional attention with the
 * learned biases {@code r_w_bias} (content), {@code r_r_bias} (position) and {@code r_s_bias}
 * with {@code seg_embed} (relative segments), no absolute positions, and the
 * {@code SequenceSummary} head, which reads the last position by default (hence XLNet's left
 * padding). Arrays are batch-first here, where Hugging Face works sequence-first.
 */
public final class XLNet {
    private XLNet() {}

    /**
     * The XLNetConfig fields beyond the common ones. Only what the classification path can honour
     * is accepted: {@code attn_type} "bi", no {@code bi_data}, a summary of type last, first or
     * mean. ({@code mem_len}, {@code reuse_len}, {@code same_length}, {@code use_mems_*} concern
     * memories, which classification does not use; {@code untie_r} is ignored by Hugging Face too.)
     */
    record Settings(int dHead, int clampLen, String summaryType, boolean summaryUseProj, String summaryActivation,
            double summaryFirstDropout, double summaryLastDropout) {

        static Settings read(ModelConfig config, ModelConfig.Fields f) {
            String source = f.source();
            int dHead = config.hiddenSize() / config.numAttentionHeads();
            if (f.json().has("d_head") && f.integer("d_head", dHead) != dHead) {
                throw new ChildTuneException(source + ": d_head " + f.integer("d_head", dHead)
                        + " must be d_model / n_head = " + dHead);
            }
            String attnType = f.string("attn_type", "bi");
            if (!attnType.equals("bi")) {
                throw new ChildTuneException(source + ": attn_type '" + attnType
                        + "' is not supported (only 'bi', bidirectional attention, for classification)");
            }
            if (f.bool("bi_data", false)) {
                throw new ChildTuneException(source + ": bi_data true is not supported (a pretraining option)");
            }
            String summaryType = f.string("summary_type", "last");
            if (!Set.of("last", "first", "mean").contains(summaryType)) {
                throw new ChildTuneException(source + ": summary_type '" + summaryType
                        + "' is not supported (expected last, first or mean)");
            }
            boolean useProj = f.bool("summary_use_proj", true);
            if (useProj && f.bool("summary_proj_to_labels", false)) {
                throw new ChildTuneException(source + ": summary_proj_to_labels true is not supported"
                        + " (logits_proj reads a d_model-wide summary)");
            }
            // An explicit null means no activation (Hugging Face's Identity); absent means XLNetConfig's tanh.
            boolean explicitNull = f.json().has("summary_activation") && f.json().get("summary_activation").isJsonNull();
            String activation = explicitNull ? null : f.string("summary_activation", "tanh");
            if (activation != null && !Set.of("tanh", "gelu", "relu", "linear").contains(activation)) {
                throw new ChildTuneException(source + ": summary_activation '" + activation
                        + "' is not supported (expected tanh, gelu, relu, linear or null)");
            }
            return new Settings(dHead, f.integer("clamp_len", -1), summaryType, useProj, activation,
                    f.real("summary_first_dropout", 0), f.real("summary_last_dropout", 0.1));
        }
    }

    /** One layer's relative positional self-attention (content stream), with its output projection. */
    public static class XLNetRelativeAttention extends Module {
        final int nHead;
        final int dHead;
        final int dModel;
        /** Projections of shape (d_model, n_head, d_head). */
        final Parameter q;
        final Parameter k;
        final Parameter v;
        final Parameter o;
        final Parameter r;
        /** Biases of shape (n_head, d_head), added to the query for the position, segment and content terms. */
        final Parameter rRBias;
        final Parameter rSBias;
        final Parameter rWBias;
        /** (2, n_head, d_head): index 0 for "same segment", 1 for "different segment". */
        final Parameter segEmbed;
        final LayerNorm layerNorm;
        final Dropout dropout;

        XLNetRelativeAttention(ModelConfig config, Settings settings) {
            nHead = config.numAttentionHeads();
            dHead = settings.dHead();
            dModel = config.hiddenSize();
            Shape projection = new Shape(dModel, nHead, dHead);
            Shape bias = new Shape(nHead, dHead);
            q = parameter("q", projection, Parameter.Init.NORMAL);
            k = parameter("k", projection, Parameter.Init.NORMAL);
            v = parameter("v", projection, Parameter.Init.NORMAL);
            o = parameter("o", projection, Parameter.Init.NORMAL);
            r = parameter("r", projection, Parameter.Init.NORMAL);
            rRBias = parameter("r_r_bias", bias, Parameter.Init.NORMAL);
            rSBias = parameter("r_s_bias", bias, Parameter.Init.NORMAL);
            rWBias = parameter("r_w_bias", bias, Parameter.Init.NORMAL);
            segEmbed = parameter("seg_embed", new Shape(2, nHead, dHead), Parameter.Init.NORMAL);
            layerNorm = child("layer_norm", new LayerNorm(dModel, config.layerNormEps()));
            dropout = child("dropout", new Dropout(config.hiddenDropoutProb()));
        }

        /** {@code einsum('ibh,hnd->ibnd')}, batch-first: (batch, seq, d_model) -> (batch, n_head, seq, d_head). */
        private NDArray heads(NDArray x, Parameter projection) {
            Shape s = x.getShape();
            NDArray y = x.matMul(projection.array().reshape(dModel, (long) nHead * dHead));
            return y.reshape(s.get(0), s.get(1), nHead, dHead).transpose(0, 2, 1, 3);
        }

        /** A (n_head, d_head) bias, shaped to add to (batch, n_head, seq, d_head). */
        private static NDArray perHead(Parameter bias) {
            Shape s = bias.shape();
            return bias.array().reshape(1, s.get(0), 1, s.get(1));
        }

        /**
         * Hugging Face's {@code rel_shift_bnij}: turns scores against the 2T relative positions
         * klen, klen-1, ..., -qlen+1 into scores against key positions, so that entry (i, j) reads
         * relative position i - j. The reshape trick: view (b, n, i, 2T) as (b, n, 2T, i), drop the
         * first row, view back as (b, n, i, 2T - 1) and keep the first klen columns.
         */
        static NDArray relShiftBnij(NDArray x, long klen) {
            Shape s = x.getShape();
            NDArray y = x.reshape(s.get(0), s.get(1), s.get(3), s.get(2)).get(new NDIndex(":, :, 1:, :"));
            return y.reshape(s.get(0), s.get(1), s.get(2), s.get(3) - 1).get(new NDIndex(":, :, :, :" + klen));
        }

        /**
         * @param h (batch, seq, d_model)
         * @param posEmb (1 or batch, 2·seq, d_model) relative position encodings
         * @param segments same and different segment indicators, each (batch, 1, seq, seq), or null
         *     without token type ids
         * @param nonTargetMask (batch, 1, seq, seq), 1 where query i may not see key j, or null
         * @return the layer-normed output (batch, seq, d_model) and the probabilities (batch, head, i, j)
         */
        NDArray[] forward(NDArray h, NDArray posEmb, NDArray[] segments, NDArray nonTargetMask, boolean training) {
            NDManager m = h.getManager();
            NDArray qHead = heads(h, q);
            NDArray kHead = heads(h, k);
            NDArray vHead = heads(h, v);
            NDArray kHeadR = heads(posEmb, r); // (1 or batch, head, 2T, d)

            // content term: (q + r_w_bias) . k
            NDArray ac = qHead.add(perHead(rWBias)).matMul(kHead.transpose(0, 1, 3, 2));
            // position term: (q + r_r_bias) . r(i - j)
            NDArray bd = qHead.add(perHead(rRBias)).matMul(kHeadR.transpose(0, 1, 3, 2));
            bd = relShiftBnij(bd, ac.getShape().get(3));
            NDArray score = ac.add(bd);
            if (segments != null) {
                // segment term: (q + r_s_bias) . seg_embed[s], s = 0 when i and j share a segment, else 1;
                // Hugging Face sums one-hot(s) * term over s, which the two indicators reproduce exactly.
                NDArray seg = segEmbed.array().transpose(1, 2, 0).expandDims(0); // (1, head, d, 2)
                NDArray ef = qHead.add(perHead(rSBias)).matMul(seg); // (batch, head, i, 2)
                NDArray efSame = ef.get(new NDIndex(":, :, :, 0:1"));
                NDArray efDiff = ef.get(new NDIndex(":, :, :, 1:2"));
                score = score.add(efSame.mul(segments[0]).add(efDiff.mul(segments[1])));
            }
            score = score.mul(Scalars.constant(m, 1 / Math.sqrt(dHead)));
            if (nonTargetMask != null) {
                // XLNet subtracts 1e30 where Bert adds finfo.min: either way the probability is exactly 0.
                score = score.sub(nonTargetMask.mul(Scalars.constant(m, 1e30)));
            }
            NDArray probs = score.softmax(-1);
            NDArray attnVec = dropout.forward(probs, training).matMul(vHead); // (batch, head, i, d)

            // post_attention: einsum('ibnd,hnd->ibh', attn_vec, o), dropout, residual, LayerNorm
            Shape s = h.getShape();
            NDArray merged = attnVec.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) nHead * dHead);
            NDArray attnOut = merged.matMul(o.array().reshape(dModel, (long) nHead * dHead).transpose());
            attnOut = dropout.forward(attnOut, training).add(h);
            return new NDArray[] {layerNorm.forward(attnOut), probs};
        }
    }

    /** layer_1 -> activation -> dropout -> layer_2 -> dropout -> LayerNorm(residual). */
    public static class XLNetFeedForward extends Module {
        final LayerNorm layerNorm;
        final Linear layer1;
        final Linear layer2;
        final Dropout dropout;
        final String activation;

        XLNetFeedForward(ModelConfig config) {
            layerNorm = child("layer_norm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
            layer1 = child("layer_1", new Linear(config.hiddenSize(), config.intermediateSize()));
            layer2 = child("layer_2", new Linear(config.intermediateSize(), config.hiddenSize()));
            dropout = child("dropout", new Dropout(config.hiddenDropoutProb()));
            activation = config.hiddenAct();
        }

        NDArray forward(NDArray inp, boolean training) {
            NDArray output = dropout.forward(Bert.activation(activation, layer1.forward(inp)), training);
            output = dropout.forward(layer2.forward(output), training);
            return layerNorm.forward(output.add(inp));
        }
    }

    /** Attention then feed-forward. */
    public static class XLNetLayer extends Module {
        final XLNetRelativeAttention relAttn;
        final XLNetFeedForward ff;

        XLNetLayer(ModelConfig config, Settings settings) {
            relAttn = child("rel_attn", new XLNetRelativeAttention(config, settings));
            ff = child("ff", new XLNetFeedForward(config));
        }

        NDArray[] forward(NDArray h, NDArray posEmb, NDArray[] segments, NDArray nonTargetMask, boolean training) {
            NDArray[] attention = relAttn.forward(h, posEmb, segments, nonTargetMask, training);
            return new NDArray[] {ff.forward(attention[0], training), attention[1]};
        }
    }

    /** Word embeddings (no absolute positions) and the layers. */
    public static class XLNetModel extends Module implements BaseModel {
        final int dModel;
        final int clampLen;
        final Embedding wordEmbedding;
        /** The query stream's input for pretraining; the content stream never reads it (no gradient). */
        final Parameter maskEmb;
        final ModuleList<XLNetLayer> layer;
        final Dropout dropout;

        XLNetModel(ModelConfig config, Settings settings) {
            dModel = config.hiddenSize();
            clampLen = settings.clampLen();
            // No padding_idx: the <pad> row is trained like any other.
            wordEmbedding = child("word_embedding", new Embedding(config.vocabSize(), dModel, null));
            maskEmb = parameter("mask_emb", new Shape(1, 1, dModel), Parameter.Init.NORMAL);
            layer = child("layer", new ModuleList<>(config.numHiddenLayers(), i -> new XLNetLayer(config, settings)));
            dropout = child("dropout", new Dropout(config.hiddenDropoutProb()));
        }

        @Override
        public EncoderOutput forward(ModelInputs inputs, boolean training) {
            NDArray inputIds = inputs.inputIds();
            NDManager m = inputIds.getManager();
            long batch = inputIds.getShape().get(0);
            int seq = Math.toIntExact(inputIds.getShape().get(1));

            NDArray nonTargetMask = inputs.attentionMask() == null ? null : nonTargetMask(inputs.attentionMask());
            NDArray[] segments = inputs.tokenTypeIds() == null ? null : segments(inputs.tokenTypeIds());
            NDArray posEmb = relativePositionalEncoding(m, seq, seq).expandDims(0);
            if (training) {
                // Hugging Face expands the encodings over the batch before its dropout: one mask per example.
                posEmb = dropout.forward(posEmb.broadcast(new Shape(batch, 2L * seq, dModel)), true);
            }

            NDArray h = dropout.forward(inputs.perturb(wordEmbedding.forward(inputIds)), training);
            List<NDArray> hiddenStates = new ArrayList<>();
            List<NDArray> attentions = new ArrayList<>();
            for (XLNetLayer block : layer.items()) {
                hiddenStates.add(h);
                NDArray[] outputs = block.forward(h, posEmb, segments, nonTargetMask, training);
                h = outputs[0];
                attentions.add(outputs[1]);
            }
            hiddenStates.add(h);
            return new EncoderOutput(dropout.forward(h, training), List.copyOf(hiddenStates), List.copyOf(attentions));
        }

        /**
         * {@code non_tgt_mask}, (batch, 1, seq, seq) float: 1 where key j is padding and j != i.
         * Every position may attend to itself, so a padding query sees the real tokens and itself.
         */
        static NDArray nonTargetMask(NDArray attentionMask) {
            NDManager m = attentionMask.getManager();
            Shape s = attentionMask.getShape();
            long seq = s.get(1);
            NDArray padding = attentionMask.eq(0).toType(DataType.FLOAT32, false).reshape(s.get(0), 1, 1, seq);
            NDArray notSelf = m.eye(Math.toIntExact(seq)).eq(0).toType(DataType.FLOAT32, false).reshape(1, 1, seq, seq);
            return padding.mul(notSelf);
        }

        /** The "same segment" and "different segment" indicators of every (i, j), each (batch, 1, seq, seq). */
        static NDArray[] segments(NDArray tokenTypeIds) {
            Shape s = tokenTypeIds.getShape();
            Shape square = new Shape(s.get(0), s.get(1), s.get(1));
            NDArray rows = tokenTypeIds.expandDims(2).broadcast(square);
            NDArray cols = tokenTypeIds.expandDims(1).broadcast(square);
            NDArray different = rows.neq(cols).toType(DataType.FLOAT32, false).expandDims(1);
            NDArray same = rows.eq(cols).toType(DataType.FLOAT32, false).expandDims(1);
            return new NDArray[] {same, different};
        }

        /**
         * Sinusoids of the relative positions klen, klen-1, ..., -qlen+1 (descending, optionally
         * clamped to ±clamp_len), {@code [sin, cos]} of {@code pos · inv_freq} with
         * {@code inv_freq = 1 / 10000^(2k / d_model)}, computed in float32 as Hugging Face does:
         * (qlen + klen, d_model).
         */
        NDArray relativePositionalEncoding(NDManager m, int qlen, int klen) {
            NDArray freqSeq = m.arange(0, dModel, 2, DataType.FLOAT32);
            NDArray invFreq = Scalars.constant(m, 1).div(
                    Scalars.constant(m, 10000).pow(freqSeq.div(Scalars.constant(m, dModel))));
            float[] positions = new float[qlen + klen];
            for (int i = 0; i < positions.length; i++) {
                int pos = klen - i;
                positions[i] = clampLen > 0 ? Math.max(-clampLen, Math.min(clampLen, pos)) : pos;
            }
            NDArray sinusoid = m.create(positions).reshape(-1, 1).mul(invFreq.reshape(1, -1));
            return sinusoid.sin().concat(sinusoid.cos(), -1);
        }
    }

    /** Hugging Face's {@code SequenceSummary}: one vector per sequence, then projection and activation. */
    public static class SequenceSummary extends Module {
        final String summaryType;
        final Linear summary;
        final String activation;
        final Dropout firstDropout;
        final Dropout lastDropout;

        SequenceSummary(ModelConfig config, Settings settings) {
            summaryType = settings.summaryType();
            summary = settings.summaryUseProj()
                    ? child("summary", new Linear(config.hiddenSize(), config.hiddenSize()))
                    : null;
            activation = settings.summaryActivation();
            firstDropout = child("first_dropout", new Dropout(settings.summaryFirstDropout()));
            lastDropout = child("last_dropout", new Dropout(settings.summaryLastDropout()));
        }

        /** @param hiddenStates (batch, seq, d_model); "last" reads the last position whatever it holds */
        NDArray forward(NDArray hiddenStates, boolean training) {
            NDArray output = switch (summaryType) {
                case "last" -> hiddenStates.get(new NDIndex(":, -1"));
                case "first" -> hiddenStates.get(new NDIndex(":, 0"));
                default -> hiddenStates.mean(new int[] {1});
            };
            output = firstDropout.forward(output, training);
            if (summary != null) {
                output = summary.forward(output);
            }
            if (activation != null && !activation.equals("linear")) {
                output = activation.equals("tanh") ? output.tanh() : Bert.activation(activation, output);
            }
            return lastDropout.forward(output, training);
        }
    }

    /** XLNet with the sequence summary and a linear classifier (or regressor when num_labels = 1). */
    public static class XLNetForSequenceClassification extends SequenceClassifier {
        final XLNetModel transformer;
        final SequenceSummary sequenceSummary;
        final Linear logitsProj;

        public XLNetForSequenceClassification(ModelConfig config) {
            super(config);
            Settings settings = Settings.read(config, ModelConfig.fields(config.json(), ModelConfig.FILE_NAME, "xlnet"));
            transformer = child("transformer", new XLNetModel(config, settings));
            sequenceSummary = child("sequence_summary", new SequenceSummary(config, settings));
            logitsProj = child("logits_proj", new Linear(config.hiddenSize(), config.numLabels()));
        }

        @Override
        public String baseModelPrefix() {
            return "transformer";
        }

        @Override
        public BaseModel baseModel() {
            return transformer;
        }

        @Override
        public Set<String> parametersWithoutGradient() {
            return Set.of("transformer.mask_emb");
        }

        /** XLNet's {@code <cls>} comes last ({@code summary_type} "last"); "first" reads position 0. */
        @Override
        public int classificationTokenIndex(int length) {
            return sequenceSummary.summaryType.equals("first") ? 0 : length - 1;
        }

        @Override
        public ClassifierOutput forward(ModelInputs inputs, boolean training) {
            EncoderOutput outputs = transformer.forward(inputs, training);
            NDArray summary = sequenceSummary.forward(outputs.lastHiddenState(), training);
            return new ClassifierOutput(logitsProj.forward(summary), summary, outputs);
        }
    }
}
