package dev.childtune.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.io.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's {@code config.json}, with Hugging Face's field names and defaults. The original JSON
 * is kept so that saving writes back every field, including the ones ChildTune does not use.
 * Model types that name the common fields differently (XLNet's {@code d_model}, {@code n_layer},
 * ...) are read through Hugging Face's {@code attribute_map}; their own fields are checked by
 * {@link Architectures#validate}.
 *
 * @param maxPositionEmbeddings the absolute-position table's size, 0 for a model without one (XLNet)
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int embeddingSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        Double classifierDropout,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double initializerRange,
        double layerNormEps,
        int padTokenId,
        int numLabels,
        String problemType,
        Map<Integer, String> id2label,
        JsonObject json) {

    public static final String FILE_NAME = "config.json";

    /** Reads {@code folder/config.json}. */
    public static ModelConfig read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new ChildTuneException(file + ": missing; a model folder needs config.json (Hugging Face format)");
        }
        JsonElement root = StrictJson.read(file, "model configuration");
        if (!root.isJsonObject()) {
            throw new ChildTuneException(file + ": expected a JSON object, found " + kind(root));
        }
        return fromJson(root.getAsJsonObject(), file.toString());
    }

    /**
     * Hugging Face's {@code attribute_map}: the names some model types give the common fields in
     * their config.json (XLNet: {@code d_model} for {@code hidden_size}, ...). Unlisted types use
     * the common names.
     */
    private static final Map<String, Map<String, String>> ATTRIBUTE_MAPS = Map.of("xlnet", Map.of(
            "hidden_size", "d_model",
            "num_hidden_layers", "n_layer",
            "num_attention_heads", "n_head",
            "intermediate_size", "d_inner",
            "hidden_act", "ff_activation",
            "hidden_dropout_prob", "dropout",
            "attention_probs_dropout_prob", "dropout"));

    /**
     * The defaults of those model types' configuration classes where they differ from BERT's
     * (XLNetConfig: vocabulary 32000, xlnet-large sizes, pad id 5; no absolute positions, hence 0).
     */
    private static final Map<String, Map<String, Number>> DEFAULTS = Map.of("xlnet", Map.of(
            "vocab_size", 32000,
            "hidden_size", 1024,
            "num_hidden_layers", 24,
            "num_attention_heads", 16,
            "intermediate_size", 4096,
            "max_position_embeddings", 0,
            "pad_token_id", 5));

    private static String kind(JsonElement element) {
        return element.isJsonArray() ? "an array" : element.isJsonNull() ? "null" : "a single value";
    }

    /** Parses a config object; {@code source} names it in error messages. */
    public static ModelConfig fromJson(JsonObject json, String source) {
        String modelType = new Fields(json, source, Map.of(), Map.of()).string("model_type", null);
        if (modelType == null) {
            throw new ChildTuneException(source + ": field 'model_type' is missing (expected one of "
                    + String.join(", ", Architectures.SUPPORTED) + ")");
        }
        Fields f = fields(json, source, modelType);
        int hidden = f.integer("hidden_size", 768);
        Map<Integer, String> id2label = new LinkedHashMap<>();
        if (json.has("id2label") && json.get("id2label").isJsonObject()) {
            for (var e : json.getAsJsonObject("id2label").entrySet()) {
                try {
                    id2label.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
                } catch (RuntimeException ex) {
                    throw new ChildTuneException(source + ": field 'id2label' has key '" + e.getKey()
                            + "': expected integer keys and string labels");
                }
            }
        }
        int numLabels = json.has("num_labels") ? f.integer("num_labels", 2)
                : id2label.isEmpty() ? 2 : id2label.size();
        String problemType = f.string("problem_type", null);
        if (problemType == null) {
            problemType = numLabels == 1 ? "regression" : "single_label_classification";
        }
        String positionType = f.string("position_embedding_type", "absolute");
        if (!positionType.equals("absolute")) {
            throw new ChildTuneException(source + ": position_embedding_type '" + positionType
                    + "' is not supported (only 'absolute')");
        }
        String act = f.string("hidden_act", "gelu");
        if (!act.equals("gelu") && !act.equals("relu")) {
            throw new ChildTuneException(source + ": " + f.name("hidden_act") + " '" + act
                    + "' is not supported (expected gelu or relu)");
        }
        ModelConfig config = new ModelConfig(
                modelType,
                f.integer("vocab_size", 30522),
                hidden,
                f.integer("embedding_size", hidden),
                f.integer("num_hidden_layers", 12),
                f.integer("num_attention_heads", 12),
                f.integer("intermediate_size", 3072),
                act,
                f.real("hidden_dropout_prob", 0.1),
                f.real("attention_probs_dropout_prob", 0.1),
                json.has("classifier_dropout") && !json.get("classifier_dropout").isJsonNull()
                        ? f.real("classifier_dropout", 0.1) : null,
                f.integer("max_position_embeddings", 512),
                f.integer("type_vocab_size", 2),
                f.real("initializer_range", 0.02),
                f.real("layer_norm_eps", 1e-12),
                f.integer("pad_token_id", 0),
                numLabels,
                problemType,
                Map.copyOf(id2label),
                json.deepCopy());
        config.validate(f);
        return config;
    }

    /** Typed access to the fields of {@code json} with the names and defaults of {@code modelType}. */
    static Fields fields(JsonObject json, String source, String modelType) {
        return new Fields(json, source, ATTRIBUTE_MAPS.getOrDefault(modelType, Map.of()),
                DEFAULTS.getOrDefault(modelType, Map.of()));
    }

    private void validate(Fields f) {
        String source = f.source();
        atLeast(source, f.name("vocab_size"), vocabSize, 1);
        atLeast(source, f.name("hidden_size"), hiddenSize, 1);
        atLeast(source, f.name("embedding_size"), embeddingSize, 1);
        atLeast(source, f.name("num_hidden_layers"), numHiddenLayers, 0);
        atLeast(source, f.name("num_attention_heads"), numAttentionHeads, 1);
        atLeast(source, f.name("intermediate_size"), intermediateSize, 1);
        // 0 for models without absolute positions (XLNet)
        atLeast(source, f.name("max_position_embeddings"), maxPositionEmbeddings, 0);
        atLeast(source, f.name("type_vocab_size"), typeVocabSize, 1);
        probability(source, f.name("hidden_dropout_prob"), hiddenDropoutProb);
        probability(source, f.name("attention_probs_dropout_prob"), attentionProbsDropoutProb);
        if (classifierDropout != null) {
            probability(source, "classifier_dropout", classifierDropout);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new ChildTuneException(source + ": field '" + f.name("layer_norm_eps") + "' must be a small positive number, got "
                    + layerNormEps);
        }
        if (!(initializerRange >= 0) || Double.isInfinite(initializerRange)) {
            throw new ChildTuneException(source + ": field '" + f.name("initializer_range") + "' must be a non-negative number, got "
                    + initializerRange);
        }
        // The largest weight matrices; each must fit one Java array (the safetensors limit too).
        matrix(source, f.name("vocab_size"), vocabSize, f.name("embedding_size"), embeddingSize);
        matrix(source, f.name("max_position_embeddings"), maxPositionEmbeddings, f.name("embedding_size"), embeddingSize);
        matrix(source, f.name("hidden_size"), hiddenSize, f.name("intermediate_size"), intermediateSize);
        matrix(source, f.name("hidden_size"), hiddenSize, f.name("hidden_size"), hiddenSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ChildTuneException(source + ": " + f.name("hidden_size") + " " + hiddenSize
                    + " is not a multiple of " + f.name("num_attention_heads") + " " + numAttentionHeads);
        }
        if (numLabels < 1) {
            throw new ChildTuneException(source + ": num_labels must be at least 1, got " + numLabels);
        }
        if (!problemType.equals("regression") && !problemType.equals("single_label_classification")) {
            throw new ChildTuneException(source + ": problem_type '" + problemType
                    + "' is not supported (expected regression or single_label_classification)");
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new ChildTuneException(source + ": pad_token_id " + padTokenId + " is outside the vocabulary (size "
                    + vocabSize + ")");
        }
        Architectures.validate(this, f);
    }

    private static void atLeast(String source, String field, int value, int minimum) {
        if (value < minimum) {
            throw new ChildTuneException(source + ": field '" + field + "' must be at least " + minimum + ", got " + value);
        }
    }

    private static void probability(String source, String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new ChildTuneException(source + ": field '" + field
                    + "' must be a dropout probability in [0, 1), got " + value);
        }
    }

    private static void matrix(String source, String rowsField, int rows, String columnsField, int columns) {
        if ((long) rows * columns > Integer.MAX_VALUE) {
            throw new ChildTuneException(source + ": " + rowsField + " " + rows + " x " + columnsField + " " + columns
                    + " = " + (long) rows * columns + " values in one weight matrix; at most "
                    + Integer.MAX_VALUE + " are supported");
        }
    }

    public boolean isRegression() {
        return problemType.equals("regression");
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** The dropout before a classification head: classifier_dropout if set, else hidden_dropout_prob. */
    public double headDropout() {
        return classifierDropout != null ? classifierDropout : hiddenDropoutProb;
    }

    /**
     * This configuration for a task: {@code id2label}, {@code label2id} and {@code problem_type}
     * rewritten for the given labels (one output for regression), everything else kept. A
     * checkpoint whose head has another size then fails to load with a shape error.
     */
    public ModelConfig forTask(List<String> labels, boolean regression) {
        JsonObject copy = json.deepCopy();
        JsonObject ids = new JsonObject();
        JsonObject names = new JsonObject();
        List<String> outputs = regression ? List.of("LABEL_0") : labels;
        for (int i = 0; i < outputs.size(); i++) {
            ids.addProperty(Integer.toString(i), outputs.get(i));
            names.addProperty(outputs.get(i), i);
        }
        copy.add("id2label", ids);
        copy.add("label2id", names);
        copy.remove("num_labels");
        copy.addProperty("problem_type", regression ? "regression" : "single_label_classification");
        return fromJson(copy, FILE_NAME);
    }

    /** A JSON value for a message: one line, at most 60 characters. */
    private static String shorten(JsonElement e) {
        String text = e.toString().replaceAll("\\s+", " ");
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    /**
     * Typed access to optional fields with errors that name the field. A common name is looked up
     * under the model type's own name ({@code aliases}); a missing field takes the model type's
     * default, else the caller's fallback.
     */
    record Fields(JsonObject json, String source, Map<String, String> aliases, Map<String, Number> defaults) {
        /** The name the field has in this config.json. */
        String name(String common) {
            return aliases.getOrDefault(common, common);
        }

        int integer(String common, int fallback) {
            String name = name(common);
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return defaults.containsKey(common) ? defaults.get(common).intValue() : fallback;
            }
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                return e.getAsBigDecimal().intValueExact();
            } catch (RuntimeException ex) {
                throw new ChildTuneException(source + ": field '" + name
                        + "' must be an integer (32-bit), got " + shorten(e));
            }
        }

        double real(String common, double fallback) {
            String name = name(common);
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return defaults.containsKey(common) ? defaults.get(common).doubleValue() : fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new ChildTuneException(source + ": field '" + name + "' must be a number, got " + shorten(e));
            }
            return e.getAsDouble();
        }

        boolean bool(String common, boolean fallback) {
            String name = name(common);
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new ChildTuneException(source + ": field '" + name + "' must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        String string(String common, String fallback) {
            String name = name(common);
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ChildTuneException(source + ": field '" + name + "' must be a string, got " + shorten(e));
            }
            return e.getAsString();
        }
    }
}
