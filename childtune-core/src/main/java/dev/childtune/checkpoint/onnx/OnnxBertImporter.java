package dev.childtune.checkpoint.onnx;

import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.io.AtomicFiles;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.checkpoint.onnx.ImportedModel.HeadCountSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Turns a BERT-family encoder exported to ONNX by PyTorch (as sentence-transformers models on
 * the Hugging Face hub are, e.g. all-MiniLM-L6-v2) back into a Hugging Face {@code BertModel}
 * folder.
 *
 * <p>In such an export the embeddings, biases and LayerNorm parameters keep their Hugging Face
 * names (with or without a {@code bert.} prefix), but every Linear weight becomes an anonymous
 * initializer ({@code onnx::MatMul_787}) stored transposed, {@code [in, out]}, as the right-hand
 * operand of a MatMul. Each one is named by following its MatMul to the Add that adds a named
 * bias ({@code ...query.bias} gives {@code ...query.weight}) and transposed back to
 * {@code [out, in]}.
 *
 * <p>The dimensions come from the weight shapes, except the number of attention heads, which
 * the weights cannot tell. It is read from the graph: first from the constant target shape
 * {@code [.., .., heads, headSize]} of the Reshape that splits the first layer's query into
 * heads, else from the scalar the attention scores are divided by ({@code sqrt(headSize)}) or
 * multiplied with ({@code 1/sqrt(headSize)}). Callers may also give it.
 *
 * <p>The folder written holds {@code config.json}, {@code model.safetensors} (keys prefixed
 * {@code bert.}, values in the ONNX element type), {@code tokenizer.json} and
 * {@code tokenizer_config.json}.
 */
public final class OnnxBertImporter {
    private static final String PREFIX = "bert.";
    private static final List<String> MODULES = List.of("embeddings.", "encoder.", "pooler.");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private OnnxBertImporter() {}

    /** Imports an ONNX file, reading the number of attention heads from its graph. */
    public static ImportedModel importBert(Path onnxFile, Path tokenizerJson, Path outputFolder) {
        return importBert(onnxFile, tokenizerJson, outputFolder, 0);
    }

    /**
     * Imports an ONNX file.
     *
     * @param numAttentionHeads heads per layer, or 0 to read them from the graph
     */
    public static ImportedModel importBert(Path onnxFile, Path tokenizerJson, Path outputFolder,
            int numAttentionHeads) {
        OnnxModel model = OnnxModel.read(onnxFile);
        try (InputStream tokenizer = Files.newInputStream(tokenizerJson)) {
            return importBert(model, tokenizer, outputFolder, numAttentionHeads);
        } catch (IOException e) {
            throw new ChildTuneException(tokenizerJson + ": cannot read tokenizer (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Imports a parsed ONNX model into {@code outputFolder} (created if missing; files in it
     * with the same names are replaced).
     *
     * @param tokenizerJson the Hugging Face tokenizer.json content, copied as is (not closed)
     * @param numAttentionHeads heads per layer, or 0 to read them from the graph
     */
    public static ImportedModel importBert(OnnxModel model, InputStream tokenizerJson, Path outputFolder,
            int numAttentionHeads) {
        Map<String, TensorData> weights = namedWeights(model);
        int[] vocabByHidden = dims(model, weights, "embeddings.word_embeddings.weight", 2);
        int vocab = vocabByHidden[0];
        int hidden = vocabByHidden[1];
        int maxPositions = dims(model, weights, "embeddings.position_embeddings.weight", 2)[0];
        int typeVocab = dims(model, weights, "embeddings.token_type_embeddings.weight", 2)[0];
        int intermediate = dims(model, weights, "encoder.layer.0.intermediate.dense.bias", 1)[0];
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.bias")) {
            layers++;
        }

        Map<String, TensorData> stateDict = new TreeMap<>();
        expectedShapes(vocab, hidden, intermediate, maxPositions, typeVocab, layers).forEach((key, shape) ->
                stateDict.put(PREFIX + key, checked(model, weights, key, shape)));
        if (weights.containsKey("pooler.dense.weight") || weights.containsKey("pooler.dense.bias")) {
            stateDict.put(PREFIX + "pooler.dense.weight", checked(model, weights, "pooler.dense.weight", new long[] {hidden, hidden}));
            stateDict.put(PREFIX + "pooler.dense.bias", checked(model, weights, "pooler.dense.bias", new long[] {hidden}));
        }

        HeadCount headCount = numAttentionHeads > 0
                ? new HeadCount(numAttentionHeads, HeadCountSource.GIVEN)
                : headCount(model, hidden);
        int heads = headCount.heads();
        if (hidden % heads != 0) {
            throw new ChildTuneException(model.source() + ": hidden size " + hidden + " is not a multiple of "
                    + heads + " attention heads");
        }

        ImportedModel imported = new ImportedModel(outputFolder, vocab, hidden, layers, heads, intermediate,
                maxPositions, typeVocab, headCount.source());
        try {
            Files.createDirectories(outputFolder);
            SafeTensors.write(outputFolder.resolve(SafeTensors.MODEL_FILE), stateDict, Map.of("format", "pt"));
            AtomicFiles.writeString(outputFolder.resolve("config.json"), GSON.toJson(config(imported)));
            AtomicFiles.write(outputFolder.resolve("tokenizer.json"),
                    channel -> tokenizerJson.transferTo(Channels.newOutputStream(channel)));
            AtomicFiles.writeString(outputFolder.resolve("tokenizer_config.json"), GSON.toJson(tokenizerConfig()));
        } catch (IOException e) {
            throw new ChildTuneException(outputFolder + ": cannot write imported model (" + e + ")", e);
        }
        return imported;
    }

    /**
     * The model's parameters under Hugging Face BertModel names without the {@code bert.}
     * prefix: named initializers as they are, anonymous MatMul weights named after their bias
     * and transposed to {@code [out, in]}.
     */
    private static Map<String, TensorData> namedWeights(OnnxModel model) {
        Map<String, TensorData> weights = new HashMap<>();
        model.initializers().forEach((name, tensor) -> hfName(name).ifPresent(key -> weights.put(key, tensor)));
        for (OnnxModel.Node matMul : model.nodes()) {
            if (!matMul.opType().equals("MatMul") || !model.initializers().containsKey(matMul.inputs().get(1))) {
                continue;
            }
            TensorData weight = model.initializers().get(matMul.inputs().get(1));
            for (OnnxModel.Node add : model.consumers(matMul.outputs().get(0))) {
                if (!add.opType().equals("Add")) {
                    continue;
                }
                for (String operand : add.inputs()) {
                    Optional<String> bias = model.initializers().containsKey(operand) ? hfName(operand) : Optional.empty();
                    if (bias.isPresent() && bias.get().endsWith(".bias") && weight.shape().length == 2) {
                        String key = bias.get().substring(0, bias.get().length() - "bias".length()) + "weight";
                        weights.put(key, transpose(weight));
                    }
                }
            }
        }
        return weights;
    }

    /** The BertModel key for an initializer name, if it belongs to the encoder (buffers excluded). */
    private static Optional<String> hfName(String onnxName) {
        String name = onnxName.startsWith(PREFIX) ? onnxName.substring(PREFIX.length()) : onnxName;
        boolean inEncoder = MODULES.stream().anyMatch(name::startsWith);
        return inEncoder && !name.equals("embeddings.position_ids") ? Optional.of(name) : Optional.empty();
    }

    /** Every BertModel parameter except the (optional) pooler, with its expected shape. */
    private static Map<String, long[]> expectedShapes(long vocab, long hidden, long intermediate, long maxPositions,
            long typeVocab, int layers) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("embeddings.word_embeddings.weight", new long[] {vocab, hidden});
        shapes.put("embeddings.position_embeddings.weight", new long[] {maxPositions, hidden});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {typeVocab, hidden});
        shapes.put("embeddings.LayerNorm.weight", new long[] {hidden});
        shapes.put("embeddings.LayerNorm.bias", new long[] {hidden});
        for (int i = 0; i < layers; i++) {
            String layer = "encoder.layer." + i + ".";
            for (String projection : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                shapes.put(layer + projection + ".weight", new long[] {hidden, hidden});
                shapes.put(layer + projection + ".bias", new long[] {hidden});
            }
            shapes.put(layer + "attention.output.LayerNorm.weight", new long[] {hidden});
            shapes.put(layer + "attention.output.LayerNorm.bias", new long[] {hidden});
            shapes.put(layer + "intermediate.dense.weight", new long[] {intermediate, hidden});
            shapes.put(layer + "intermediate.dense.bias", new long[] {intermediate});
            shapes.put(layer + "output.dense.weight", new long[] {hidden, intermediate});
            shapes.put(layer + "output.dense.bias", new long[] {hidden});
            shapes.put(layer + "output.LayerNorm.weight", new long[] {hidden});
            shapes.put(layer + "output.LayerNorm.bias", new long[] {hidden});
        }
        return shapes;
    }

    private static TensorData checked(OnnxModel model, Map<String, TensorData> weights, String key, long[] shape) {
        TensorData tensor = weights.get(key);
        if (tensor == null) {
            throw new ChildTuneException(model.source() + ": BERT weight " + key + " not found in the ONNX graph");
        }
        if (!Arrays.equals(tensor.shape(), shape) || !tensor.dtype().isFloatingPoint()) {
            throw new ChildTuneException(model.source() + ": BERT weight " + key + " is " + tensor
                    + ", expected a float tensor of shape " + Arrays.toString(shape));
        }
        return tensor;
    }

    private static int[] dims(OnnxModel model, Map<String, TensorData> weights, String key, int rank) {
        TensorData tensor = weights.get(key);
        if (tensor == null) {
            throw new ChildTuneException(model.source() + ": BERT weight " + key + " not found in the ONNX graph");
        }
        if (tensor.shape().length != rank) {
            throw new ChildTuneException(model.source() + ": BERT weight " + key + " is " + tensor
                    + ", expected rank " + rank);
        }
        return Arrays.stream(tensor.shape()).mapToInt(Math::toIntExact).toArray();
    }

    private record HeadCount(int heads, HeadCountSource source) {}

    /** The number of attention heads read from the graph: from the query Reshape, else from the attention scale. */
    private static HeadCount headCount(OnnxModel model, int hidden) {
        OptionalInt heads = headsFromReshape(model, hidden);
        if (heads.isPresent()) {
            return new HeadCount(heads.getAsInt(), HeadCountSource.ATTENTION_RESHAPE);
        }
        heads = headsFromScale(model, hidden);
        if (heads.isPresent()) {
            return new HeadCount(heads.getAsInt(), HeadCountSource.ATTENTION_SCALE);
        }
        throw new ChildTuneException(model.source() + ": cannot tell the number of attention heads from the graph;"
                + " give it explicitly");
    }

    /**
     * Heads from the Reshape that splits the first layer's query into heads: its target shape,
     * a constant or a Concat ending in constants, ends with {@code [heads, headSize]} (one of
     * them may be -1).
     */
    private static OptionalInt headsFromReshape(OnnxModel model, int hidden) {
        Optional<String> queryOutput = model.nodes().stream()
                .filter(node -> node.opType().equals("Add"))
                .filter(node -> node.inputs().stream().anyMatch(input -> model.initializers().containsKey(input)
                        && hfName(input).orElse("").equals("encoder.layer.0.attention.self.query.bias")))
                .map(node -> node.outputs().get(0))
                .findFirst();
        if (queryOutput.isEmpty()) {
            return OptionalInt.empty();
        }
        for (OnnxModel.Node reshape : model.consumers(queryOutput.get())) {
            if (!reshape.opType().equals("Reshape") || reshape.inputs().size() < 2) {
                continue;
            }
            long[] dims = trailingConstantDims(model, reshape.inputs().get(1));
            if (dims.length < 2) {
                continue;
            }
            long heads = dims[dims.length - 2];
            long headSize = dims[dims.length - 1];
            if (heads > 0 && (headSize == -1 || heads * headSize == hidden)) {
                return OptionalInt.of((int) heads);
            }
            if (heads == -1 && headSize > 0 && hidden % headSize == 0) {
                return OptionalInt.of((int) (hidden / headSize));
            }
        }
        return OptionalInt.empty();
    }

    /** The known tail of a shape value: all of it if constant, else the constant inputs ending a Concat. */
    private static long[] trailingConstantDims(OnnxModel model, String shape) {
        Optional<TensorData> constant = model.constant(shape).filter(t -> !t.dtype().isFloatingPoint());
        if (constant.isPresent()) {
            return constant.get().toLongs();
        }
        Optional<OnnxModel.Node> concat = model.producer(shape).filter(node -> node.opType().equals("Concat"));
        if (concat.isEmpty()) {
            return new long[0];
        }
        long[] tail = new long[0];
        List<String> parts = concat.get().inputs();
        for (int i = parts.size() - 1; i >= 0; i--) {
            Optional<TensorData> part = model.constant(parts.get(i)).filter(t -> !t.dtype().isFloatingPoint());
            if (part.isEmpty()) {
                break;
            }
            long[] values = part.get().toLongs();
            long[] joined = Arrays.copyOf(values, values.length + tail.length);
            System.arraycopy(tail, 0, joined, values.length, tail.length);
            tail = joined;
        }
        return tail;
    }

    /**
     * Heads from the attention scale: a scalar c dividing the scores {@code Q·Kᵀ} (the output of
     * a MatMul of two computed values) gives {@code headSize = c²}; one multiplying them gives
     * {@code headSize = 1/c²}.
     */
    private static OptionalInt headsFromScale(OnnxModel model, int hidden) {
        for (OnnxModel.Node node : model.nodes()) {
            boolean divide = node.opType().equals("Div");
            if (!(divide || node.opType().equals("Mul")) || node.inputs().size() != 2) {
                continue;
            }
            boolean fromScores = model.producer(node.inputs().get(0))
                    .filter(producer -> producer.opType().equals("MatMul"))
                    .filter(producer -> producer.inputs().stream().noneMatch(in -> model.constant(in).isPresent()))
                    .isPresent();
            Optional<TensorData> scale = model.constant(node.inputs().get(1))
                    .filter(t -> t.dtype().isFloatingPoint() && t.numel() == 1);
            if (!fromScores || scale.isEmpty()) {
                continue;
            }
            double c = scale.get().toDoubles()[0];
            double headSize = divide ? c * c : 1 / (c * c);
            long rounded = Math.round(headSize);
            if (rounded > 0 && Math.abs(headSize - rounded) < 1e-3 * rounded && hidden % rounded == 0) {
                return OptionalInt.of((int) (hidden / rounded));
            }
        }
        return OptionalInt.empty();
    }

    /** A 2-D tensor transposed ({@code [rows, cols]} to {@code [cols, rows]}), same element type. */
    static TensorData transpose(TensorData tensor) {
        int rows = Math.toIntExact(tensor.shape()[0]);
        int cols = Math.toIntExact(tensor.shape()[1]);
        int size = tensor.dtype().byteSize();
        byte[] source = new byte[tensor.data().remaining()];
        tensor.data().duplicate().get(source);
        byte[] target = new byte[source.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                System.arraycopy(source, (r * cols + c) * size, target, (c * rows + r) * size, size);
            }
        }
        return new TensorData(tensor.dtype(), new long[] {cols, rows}, ByteBuffer.wrap(target));
    }

    private static Map<String, Object> config(ImportedModel m) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("BertModel"));
        config.put("model_type", "bert");
        config.put("vocab_size", m.vocabSize());
        config.put("hidden_size", m.hiddenSize());
        config.put("num_hidden_layers", m.numHiddenLayers());
        config.put("num_attention_heads", m.numAttentionHeads());
        config.put("intermediate_size", m.intermediateSize());
        config.put("hidden_act", "gelu");
        config.put("hidden_dropout_prob", 0.1);
        config.put("attention_probs_dropout_prob", 0.1);
        config.put("max_position_embeddings", m.maxPositionEmbeddings());
        config.put("type_vocab_size", m.typeVocabSize());
        config.put("initializer_range", 0.02);
        config.put("layer_norm_eps", 1e-12);
        config.put("pad_token_id", 0);
        config.put("position_embedding_type", "absolute");
        config.put("transformers_version", "4.31.0");
        return config;
    }

    private static Map<String, Object> tokenizerConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("do_lower_case", true);
        config.put("model_max_length", 512);
        config.put("tokenizer_class", "BertTokenizer");
        return config;
    }
}
